import { describe, expect, it } from 'vitest';
import { renderFleetHtml, renderFleetText, type FleetReport } from '../../src';
import { escapeHtml, formatMs, formatUsd } from '../../src/forensics/html-parts';

// What an operator reads from `inspect --query` at 2 a.m.: every line of the text summary, and the facts of the HTML
// page (which cards alert, the empty-section messages, the verdict bars), for a fleet with one finding of each kind.

const report: FleetReport = {
  schemaVersion: 1,
  query: 'WorkflowType="agent"',
  generatedAt: '2026-01-01T00:05:00.000Z',
  executions: 3,
  byStatus: { completed: 2, running: 1 },
  verdicts: {
    'immediate-retry': { steps: 1, executions: 1 },
    ok: { steps: 4, executions: 2 },
  },
  sameErrorInsideBackoff: [
    {
      workflowId: 'wf-1',
      runId: 'r1',
      workflowType: 'agent',
      step: 'search#1',
      activityType: 'search',
      error: 'RETRY timeout',
      first: 'attempt 1',
      second: 'attempt 2',
      gapMs: 40,
      windowMs: 2_000,
    },
    {
      workflowId: 'wf-2',
      runId: 'r2',
      workflowType: 'agent',
      step: 'search#2',
      activityType: 'search',
      error: 'RateLimited',
      first: 'activity 1',
      second: 'activity 2',
      gapMs: 5,
    },
  ],
  costMedians: { agent: { executions: 3, medianUsd: 0.25 } },
  costOutliers: [
    {
      workflowId: 'wf-3',
      runId: 'r3',
      workflowType: 'agent',
      status: 'completed',
      costUsd: 0.95,
      medianUsd: 0.25,
      ratio: 3.8,
    },
  ],
  stalled: [
    {
      workflowId: 'wf-4',
      runId: 'r4',
      workflowType: 'agent',
      activityId: '7',
      activityType: 'llm',
      attempt: 2,
      lastProgressAt: '2026-01-01T00:00:00.000Z',
      sinceMs: 300_000,
    },
    {
      workflowId: 'wf-5',
      runId: 'r5',
      workflowType: 'agent',
      activityId: '9',
      attempt: 1,
      lastProgressAt: '2026-01-01T00:00:00.000Z',
      sinceMs: 300_000,
    },
  ],
  stallAfterMs: 300_000,
  costFactor: 3,
  list: [],
};
const quiet: FleetReport = {
  ...report,
  query: '',
  verdicts: {},
  sameErrorInsideBackoff: [],
  costMedians: {},
  costOutliers: [],
  stalled: [],
};

describe('renderFleetText', () => {
  it('prints every finding, healthy verdicts first', () => {
    expect(renderFleetText(report).split('\n')).toEqual([
      '3 execution(s) matching WorkflowType="agent" at 2026-01-01T00:05:00.000Z',
      '  2 completed, 1 running',
      '',
      'Verdicts (steps, executions)',
      '  ok                           4     2',
      '  immediate-retry              1     1',
      '',
      'Same action, same error, inside the backoff window: 2',
      '  wf-1 search#1: RETRY timeout; attempt 2 started 40 ms after attempt 1 ended (window 2.00 s)',
      '  wf-2 search#2: RateLimited; activity 2 started 5 ms after activity 1 ended (no window: the workflow dispatched it again)',
      '',
      'Cost above 3x the median of its type: 1',
      '  median agent: $0.25 over 3 execution(s)',
      '  wf-3 (agent, completed): $0.95 = 3.8x the median',
      '',
      'Stalled (no heartbeat for 5 min 0 s or more): 2',
      '  wf-4 llm activity 7 attempt 2: no progress for 5 min 0 s (since 2026-01-01T00:00:00.000Z)',
      '  wf-5  activity 9 attempt 1: no progress for 5 min 0 s (since 2026-01-01T00:00:00.000Z)',
      '',
    ]);
  });

  it('says "(all)" for an empty query', () => {
    expect(renderFleetText(quiet).split('\n')[0]).toBe(
      '3 execution(s) matching (all) at 2026-01-01T00:05:00.000Z',
    );
  });
});

describe('renderFleetHtml', () => {
  const html = renderFleetHtml(report);

  it('alerts on each card with findings, and only then', () => {
    expect(html).toContain('<div class="card alert"><b>2</b>same error inside the backoff window</div>');
    expect(html).toContain('<div class="card alert"><b>1</b>cost above 3x median</div>');
    expect(html).toContain('<div class="card alert"><b>2</b>stalled (no heartbeat 5 min 0 s)</div>');
    const calm = renderFleetHtml(quiet);
    expect(calm).toContain('<div class="card"><b>0</b>same error inside the backoff window</div>');
    expect(calm).toContain('<div class="card"><b>0</b>cost above 3x median</div>');
    expect(calm).toContain('<div class="card"><b>0</b>stalled (no heartbeat 5 min 0 s)</div>');
    expect(calm).toContain('<p class="none">None: every retry waited its window.</p>');
    expect(calm.match(/<p class="none">None\.<\/p>/g)).toHaveLength(2);
    expect(calm).toContain('<title>temporal-resilience fleet: all executions</title>');
    expect(calm).toContain('<small>(all executions)</small>');
  });

  it('draws each verdict bar in proportion to the executions with it, healthy verdicts first', () => {
    const ok = html.indexOf('>ok</td>');
    const immediate = html.indexOf('>immediate-retry</td>');
    expect(ok).toBeGreaterThan(0);
    expect(immediate).toBeGreaterThan(ok);
    expect(html).toContain(
      '<tr><td><span class="dot" style="background:#2e7d32"></span>ok</td><td class="num">4</td><td class="num">2</td>' +
        '<td><div class="bar" style="width:300px;background:#2e7d32"></div></td></tr>',
    );
    expect(html).toContain('<div class="bar" style="width:150px;background:#b71c1c"></div>');
  });

  it('lists each finding in its table, escaped', () => {
    expect(html).toContain(
      '<tr><td><code>wf-1</code></td><td>agent</td><td>search#1</td><td>RETRY timeout</td>' +
        '<td>attempt 1 → attempt 2</td><td>40 ms</td><td>2.00 s</td></tr>',
    );
    expect(html).toContain('<td>none: the workflow dispatched it again</td>');
    expect(html).toContain('<p>agent: median $0.25 over 3</p>');
    expect(html).toContain(
      '<tr><td><code>wf-3</code></td><td>agent</td><td>completed</td><td>$0.95</td><td>$0.25</td><td><b>3.8x</b></td></tr>',
    );
    expect(html).toContain(
      '<tr><td><code>wf-4</code></td><td>agent</td><td>llm 7</td><td>2</td><td>2026-01-01T00:00:00.000Z</td><td><b>5 min 0 s</b></td></tr>',
    );
    expect(html).toContain('<title>temporal-resilience fleet: WorkflowType=&quot;agent&quot;</title>');
    expect(html).toContain(
      '<p class="meta">3 execution(s) at 2026-01-01T00:05:00.000Z: 2 completed, 1 running</p>',
    );
  });
});

describe('the units an operator reads', () => {
  it.each([
    [0, '0 ms'],
    [850.4, '850 ms'],
    [999, '999 ms'],
    [1_000, '1.00 s'],
    [9_994, '9.99 s'],
    [10_000, '10.0 s'],
    [59_949, '59.9 s'],
    [60_000, '1 min 0 s'],
    [250_000, '4 min 10 s'],
    [3_599_000, '59 min 59 s'],
    [3_600_000, '1 h 0 min'],
    [10_830_000, '3 h 1 min'],
    [-1_500, '-1.50 s'],
  ])('formatMs(%d) is %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it.each([
    [0, '$0.00'],
    [0.01, '$0.01'],
    [0.0099, '$0.0099'],
    [-0.005, '$-0.0050'],
    [12.5, '$12.50'],
  ])('formatUsd(%d) is %s', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });

  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;',
    );
  });
});
