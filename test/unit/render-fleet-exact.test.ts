import { describe, expect, it } from 'vitest';
import { renderFleetHtml, renderFleetText, type FleetReport } from '../../src';

// The fleet summary page `inspect --query --html` writes: the headings of its three finding tables (an operator reads
// columns by their names), one verdict row per line with a grey dot and bar for a verdict without a colour of its
// own, the medians of several workflow types side by side, and a stalled activity whose type is unknown. One golden
// page pins the whole of it for a fleet with findings of every kind.

const report: FleetReport = {
  schemaVersion: 1,
  query: 'WorkflowType IN ("agent", "checkout")',
  generatedAt: '2026-01-01T00:05:00.000Z',
  executions: 5,
  byStatus: { completed: 3, running: 1, failed: 1 },
  verdicts: {
    'terminal-policy-failure': { steps: 2, executions: 1 },
    ok: { steps: 9, executions: 4 },
    'delayed-retry': { steps: 3, executions: 2 },
  },
  sameErrorInsideBackoff: [
    {
      workflowId: 'wf-<1>',
      runId: 'r1',
      workflowType: 'agent',
      step: 'search#1',
      activityType: 'search',
      error: 'RETRY timeout & reset',
      first: 'attempt 1',
      second: 'attempt 2',
      gapMs: 40,
      windowMs: 2_000,
    },
  ],
  costMedians: {
    agent: { executions: 3, medianUsd: 0.25 },
    checkout: { executions: 2, medianUsd: 0.004 },
  },
  costOutliers: [
    {
      workflowId: 'wf-3',
      runId: 'r3',
      workflowType: 'agent',
      status: 'failed',
      costUsd: 0.95,
      medianUsd: 0.25,
      ratio: 3.8,
    },
  ],
  stalled: [
    {
      workflowId: 'wf-5',
      runId: 'r5',
      workflowType: 'checkout',
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

describe('renderFleetHtml', () => {
  const html = renderFleetHtml(report);

  it('names the columns of each finding table', () => {
    expect(html).toContain(
      '<table><thead><tr><th>workflow</th><th>type</th><th>step</th><th>error</th><th>retry</th><th>gap</th><th>window chosen</th></tr></thead><tbody>\n' +
        '<tr><td><code>wf-&lt;1&gt;</code></td><td>agent</td><td>search#1</td><td>RETRY timeout &amp; reset</td><td>attempt 1 → attempt 2</td><td>40 ms</td><td>2.00 s</td></tr>\n' +
        '</tbody></table>',
    );
    expect(html).toContain(
      '<table><thead><tr><th>workflow</th><th>type</th><th>status</th><th>cost</th><th>median</th><th>ratio</th></tr></thead><tbody>\n' +
        '<tr><td><code>wf-3</code></td><td>agent</td><td>failed</td><td>$0.95</td><td>$0.25</td><td><b>3.8x</b></td></tr>\n' +
        '</tbody></table>',
    );
    expect(html).toContain(
      '<table><thead><tr><th>workflow</th><th>type</th><th>activity</th><th>attempt</th><th>last progress</th><th>for</th></tr></thead><tbody>\n' +
        '<tr><td><code>wf-5</code></td><td>checkout</td><td> 9</td><td>1</td><td>2026-01-01T00:00:00.000Z</td><td><b>5 min 0 s</b></td></tr>\n' +
        '</tbody></table>',
    );
  });

  it('lists the verdicts one per line, healthy first', () => {
    expect(html).toContain(
      '<tbody>\n' +
        '<tr><td><span class="dot" style="background:#2e7d32"></span>ok</td><td class="num">9</td><td class="num">4</td><td><div class="bar" style="width:300px;background:#2e7d32"></div></td></tr>\n' +
        '<tr><td><span class="dot" style="background:#558b2f"></span>delayed-retry</td><td class="num">3</td><td class="num">2</td><td><div class="bar" style="width:150px;background:#558b2f"></div></td></tr>\n' +
        '<tr><td><span class="dot" style="background:#c62828"></span>terminal-policy-failure</td><td class="num">2</td><td class="num">1</td><td><div class="bar" style="width:75px;background:#c62828"></div></td></tr>\n' +
        '</tbody>',
    );
  });

  it('draws a verdict without a colour of its own in grey', () => {
    const future = renderFleetHtml({
      ...report,
      verdicts: { 'a-verdict-from-the-future': { steps: 1, executions: 2 } },
    });
    expect(future).toContain(
      '<tr><td><span class="dot" style="background:#777"></span>a-verdict-from-the-future</td><td class="num">1</td><td class="num">2</td><td><div class="bar" style="width:300px;background:#777"></div></td></tr>',
    );
  });

  it('puts each finding on a row of its own', () => {
    const two = renderFleetHtml({
      ...report,
      costOutliers: [...report.costOutliers, { ...report.costOutliers[0]!, workflowId: 'wf-4' }],
    });
    expect(two).toContain(
      '<tr><td><code>wf-3</code></td><td>agent</td><td>failed</td><td>$0.95</td><td>$0.25</td><td><b>3.8x</b></td></tr>\n' +
        '<tr><td><code>wf-4</code></td><td>agent</td><td>failed</td><td>$0.95</td><td>$0.25</td><td><b>3.8x</b></td></tr>\n' +
        '</tbody></table>',
    );
  });

  it('gives the median of each workflow type, side by side', () => {
    expect(html).toContain('<p>agent: median $0.25 over 3 · checkout: median $0.0040 over 2</p>');
  });

  it('the whole page', async () => {
    await expect(html).toMatchFileSnapshot('./__golden__/render-fleet.html');
  });
});

describe('renderFleetText', () => {
  it('prints every finding, healthy verdicts first', () => {
    expect(renderFleetText(report).split('\n')).toEqual([
      '5 execution(s) matching WorkflowType IN ("agent", "checkout") at 2026-01-01T00:05:00.000Z',
      '  3 completed, 1 running, 1 failed',
      '',
      'Verdicts (steps, executions)',
      '  ok                           9     4',
      '  delayed-retry                3     2',
      '  terminal-policy-failure      2     1',
      '',
      'Same action, same error, inside the backoff window: 1',
      '  wf-<1> search#1: RETRY timeout & reset; attempt 2 started 40 ms after attempt 1 ended (window 2.00 s)',
      '',
      'Cost above 3x the median of its type: 1',
      '  median agent: $0.25 over 3 execution(s)',
      '  median checkout: $0.0040 over 2 execution(s)',
      '  wf-3 (agent, failed): $0.95 = 3.8x the median',
      '',
      'Stalled (no heartbeat for 5 min 0 s or more): 1',
      '  wf-5  activity 9 attempt 1: no progress for 5 min 0 s (since 2026-01-01T00:00:00.000Z)',
      '',
    ]);
  });
});

describe('a step that failed over to its next route', () => {
  it('is listed after the healthy verdicts, in its own colour, on both pages', () => {
    const rerouted: FleetReport = {
      ...report,
      verdicts: { rerouted: { steps: 1, executions: 1 }, ok: { steps: 9, executions: 4 } },
    };
    const text = renderFleetText(rerouted);
    expect(text.indexOf('rerouted')).toBeGreaterThan(text.indexOf('ok'));
    const html = renderFleetHtml(rerouted);
    expect(html.indexOf('>rerouted<')).toBeGreaterThan(html.indexOf('>ok<'));
    expect(html).toContain('<span class="dot" style="background:#f9a825"></span>rerouted');
  });
});
