import { describe, expect, it } from 'vitest';
import {
  renderHtml,
  renderText,
  TIMELINE_COLOURS,
  type AttemptReport,
  type InspectReport,
  type StepReport,
} from '../../src';

// The two renderings of an inspect report, asserted on fixed reports: every line of the text, and the timeline's
// geometry (where each bar starts, how wide it is, which colour, what the gaps say).

const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T0 + ms).toISOString();

const attempt = (a: Partial<AttemptReport> & Pick<AttemptReport, 'attempt' | 'outcome'>): AttemptReport => ({
  source: 'toolkit',
  ...a,
});

const charge: StepReport = {
  step: 'charge-card',
  activityType: 'chargeCard',
  activityId: '7',
  idempotencyKey: 'KEY',
  keyStable: true,
  scheduledAt: at(0),
  closedAt: at(3_500),
  outcome: 'completed',
  verdict: 'delayed-retry',
  explanation: 'completed on attempt 2; every retry waited its delay',
  attempts: [
    attempt({
      attempt: 1,
      outcome: 'failed',
      startedAt: at(0),
      finishedAt: at(1_000),
      kind: 'retry',
      reason: 'http-503',
      failureType: 'TransientFailure',
      policyDelayMs: 2_000,
      observedDelayMs: 2_000,
      costUsd: 0.125,
    }),
    attempt({ attempt: 2, outcome: 'completed', startedAt: at(3_000), finishedAt: at(3_500) }),
  ],
};
const undo: StepReport = {
  step: 'compensate:charge-card',
  activityType: 'refund',
  activityId: '9',
  scheduledAt: at(5_000),
  outcome: 'pending',
  verdict: 'pending',
  explanation: 'attempt 1 pending',
  nextAttemptAt: at(9_000),
  attempts: [attempt({ attempt: 1, outcome: 'running', startedAt: at(5_000) })],
};
const report: InspectReport = {
  schemaVersion: 1,
  workflowId: 'order-1',
  runId: 'run-1',
  workflowType: 'checkout',
  status: 'completed',
  startedAt: at(0),
  closedAt: at(10_000),
  toolkit: true,
  steps: [charge],
  compensations: [undo],
};

describe('renderText', () => {
  it('prints every step, attempt and compensation', () => {
    expect(renderText(report).split('\n')).toEqual([
      'checkout order-1 (run run-1): completed',
      `  started ${at(0)}, closed ${at(10_000)}`,
      '',
      'Steps',
      '  charge-card (chargeCard, activity 7): completed, 2 attempt(s) -> delayed-retry',
      '    completed on attempt 2; every retry waited its delay',
      '    idempotency key KEY: stable',
      `    #1 failed | ${at(0)} .. ${at(1_000)} | RETRY http-503 | policy delay 2000 ms | observed 2000 ms | $0.13`,
      `    #2 completed | ${at(3_000)} .. ${at(3_500)}`,
      '',
      'Compensations',
      '  compensate:charge-card (refund, activity 9): pending, 1 attempt(s) -> pending',
      '    attempt 1 pending',
      `    next attempt at ${at(9_000)}`,
      `    #1 running | ${at(5_000)}`,
      '',
    ]);
  });

  it('says when attempts were inferred, a key changed, or a kind came without a reason', () => {
    const lines = renderText({
      ...report,
      closedAt: undefined,
      toolkit: false,
      steps: [
        {
          ...charge,
          keyStable: false,
          idempotencyKey: undefined,
          attempts: [
            attempt({ attempt: 1, outcome: 'failed', kind: 'cap' }),
            attempt({ attempt: 2, outcome: 'unknown' }),
          ],
        },
      ],
      compensations: [],
    }).split('\n');
    expect(lines).toEqual([
      'checkout order-1 (run run-1): completed',
      `  started ${at(0)}; no toolkit attempt records: attempts inferred from timings`,
      '',
      'Steps',
      '  charge-card (chargeCard, activity 7): completed, 2 attempt(s) -> delayed-retry',
      '    completed on attempt 2; every retry waited its delay',
      '    idempotency key -: CHANGED between attempts',
      '    #1 failed | CAP',
      '    #2 unknown',
      '',
    ]);
  });
});

interface Bar {
  step: string;
  attempt: number;
  x: number;
  y: number;
  width: number;
  fill: string;
  title: string;
}

function bars(html: string): Bar[] {
  const re =
    /<rect class="attempt" data-step="([^"]*)" data-attempt="(\d+)" x="([\d.]+)" y="(\d+)" width="([\d.]+)" height="18" fill="([^"]+)"><title>([^<]*)<\/title><\/rect>/g;
  return [...html.matchAll(re)].map((m) => ({
    step: m[1]!,
    attempt: Number(m[2]),
    x: Number(m[3]),
    y: Number(m[4]),
    width: Number(m[5]),
    fill: m[6]!,
    title: m[7]!,
  }));
}

describe('renderHtml', () => {
  // 10 s drawn over 760 px from x = 220: 76 px per second.
  const html = renderHtml(report);

  it('draws a bar per attempt where and as long as it ran, coloured by what happened', () => {
    expect(bars(html)).toEqual([
      {
        step: 'charge-card',
        attempt: 1,
        x: 220,
        y: 32,
        width: 76,
        fill: TIMELINE_COLOURS.retry,
        title: `charge-card attempt 1: failed\nretry http-503\nTransientFailure\n${at(0)}`,
      },
      {
        step: 'charge-card',
        attempt: 2,
        x: 448,
        y: 32,
        width: 38,
        fill: TIMELINE_COLOURS.completed,
        title: `charge-card attempt 2: completed\n${at(3_000)}`,
      },
      // Still running: a 4 px stub. Compensations sit 20 px lower, below the rule.
      {
        step: 'compensate:charge-card',
        attempt: 1,
        x: 600,
        y: 86,
        width: 4,
        fill: TIMELINE_COLOURS.running,
        title: `compensate:charge-card attempt 1: running\n${at(5_000)}`,
      },
    ]);
  });

  it('labels the wait between attempts with the observed and the chosen delay', () => {
    expect(html).toContain('<text x="372.0" y="60" class="gap">2.0 s (policy 2.0 s)</text>');
    expect([...html.matchAll(/class="gap"/g)]).toHaveLength(1);
  });

  it('lays out rows, lanes, the compensation rule and the canvas size', () => {
    expect(html).toContain(
      '<text x="8" y="45" class="label">charge-card <tspan class="verdict">delayed-retry</tspan></text>',
    );
    expect(html).toContain('<line x1="220" x2="980" y1="41" y2="41" class="lane"/>');
    expect(html).toContain(
      '<text x="8" y="99" class="label">compensate:charge-card <tspan class="verdict">pending</tspan></text>',
    );
    expect(html).toContain(
      '<line x1="8" x2="980" y1="72" y2="72" class="rule"/><text x="8" y="86" class="section">compensations</text>',
    );
    expect(html).toContain('width="1000" height="158" viewBox="0 0 1000 158"');
    expect(html).toContain(`<p>run run-1, completed; ${at(0)} to ${at(10_000)}</p>`);
    expect(html).toContain('<h1>checkout <small>order-1</small></h1>');
    expect(html).toContain('<title>order-1: attempt timeline</title>');
    for (const [name, fill] of Object.entries(TIMELINE_COLOURS))
      expect(html).toContain(`<span><i style="background:${fill}"></i>${name}</span>`);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|src=|href=/);
  });

  it('without compensations: no rule, a smaller canvas; without a close: drawn up to the last event', () => {
    const open = renderHtml({ ...report, closedAt: undefined, toolkit: false, compensations: [] });
    expect(open).not.toContain('class="rule"');
    expect(open).toContain('width="1000" height="104" viewBox="0 0 1000 104"');
    expect(open).toContain(`to now; no toolkit records: only final attempts are drawn</p>`);
    // The last event is the step's close at 3.5 s: it now spans the whole 760 px.
    expect(bars(open).map((b) => [b.x, b.width])).toEqual([
      [220, 217.1],
      [871.4, 108.6],
    ]);
  });

  it('colours by class or outcome, skips attempts without a start, and writes short gaps in ms', () => {
    const step: StepReport = {
      ...charge,
      attempts: [
        attempt({ attempt: 1, outcome: 'failed' }),
        attempt({
          attempt: 2,
          outcome: 'failed',
          startedAt: at(0),
          finishedAt: at(100),
          kind: 'wait',
          observedDelayMs: 400,
        }),
        attempt({ attempt: 3, outcome: 'refused', startedAt: at(500), finishedAt: at(500), kind: 'cap' }),
        attempt({ attempt: 4, outcome: 'lost', startedAt: at(600), finishedAt: at(700) }),
        attempt({ attempt: 5, outcome: 'failed', startedAt: at(800), finishedAt: at(900), kind: 'mystery' }),
        attempt({ attempt: 6, outcome: 'failed', startedAt: at(1_000), finishedAt: at(1_100) }),
        attempt({ attempt: 7, outcome: 'failed', startedAt: at(1_200), finishedAt: at(1_300), kind: 'stop' }),
      ],
    };
    const html = renderHtml({ ...report, steps: [step], compensations: [] });
    expect(bars(html).map((b) => [b.attempt, b.fill])).toEqual([
      [2, TIMELINE_COLOURS.wait],
      [3, TIMELINE_COLOURS.refused],
      [4, TIMELINE_COLOURS.lost],
      [5, TIMELINE_COLOURS.unknown],
      [6, TIMELINE_COLOURS.unknown],
      [7, TIMELINE_COLOURS.stop],
    ]);
    // A zero-length attempt is still 3 px wide.
    expect(bars(html)[1]!.width).toBe(3);
    expect(html).toMatch(/class="gap">400 ms<\/text>/);
  });

  it('escapes what comes from the history', () => {
    const evil = `<img src=x onerror="alert('x')">&`;
    const html = renderHtml({
      ...report,
      workflowId: evil,
      workflowType: evil,
      runId: evil,
      status: evil,
      steps: [{ ...charge, step: evil, verdict: 'ok' }],
      compensations: [],
    });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;');
  });
});
