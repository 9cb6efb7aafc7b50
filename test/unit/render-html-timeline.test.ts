import { describe, expect, it } from 'vitest';
import { renderHtml, type AttemptReport, type InspectReport, type StepReport } from '../../src';

// The timeline's structure, read from the SVG without pinning pixels (the layout itself is checked in headless
// Chromium by the integration tests): time runs left to right on one scale, every attempt is a bar on its step's
// lane, and compensations sit below a rule after the forward steps.

const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T0 + ms).toISOString();
const attempt = (a: Partial<AttemptReport> & Pick<AttemptReport, 'attempt' | 'outcome'>): AttemptReport => ({
  source: 'toolkit',
  ...a,
});
const step = (
  name: string,
  fromMs: number,
  attempts: AttemptReport[],
  more: Partial<StepReport> = {},
): StepReport => ({
  step: name,
  activityType: 'call',
  activityId: name,
  scheduledAt: at(fromMs),
  closedAt: at(fromMs + 1_000),
  outcome: 'completed',
  verdict: 'ok',
  explanation: '',
  attempts,
  ...more,
});
const report = (steps: StepReport[], compensations: StepReport[] = []): InspectReport => ({
  schemaVersion: 1,
  workflowId: 'wf',
  runId: 'run',
  workflowType: 'checkout',
  status: 'completed',
  startedAt: at(0),
  closedAt: at(10_000),
  toolkit: true,
  steps,
  compensations,
});

interface Bar {
  readonly step: string;
  readonly attempt: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
}
const barsOf = (html: string): Bar[] =>
  [
    ...html.matchAll(
      /<rect class="attempt[^"]*" data-step="([^"]*)" data-attempt="(\d+)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"/g,
    ),
  ].map((m) => ({
    step: m[1]!,
    attempt: Number(m[2]),
    x: Number(m[3]),
    y: Number(m[4]),
    width: Number(m[5]),
  }));
const ruleY = (html: string) => {
  const m =
    /<line x1="8" x2="\d+" y1="([\d.]+)" y2="[\d.]+" class="rule"\/><text x="8" y="[\d.]+" class="section">compensations<\/text>/.exec(
      html,
    );
  return m ? Number(m[1]) : undefined;
};

const two = step('pay', 0, [
  attempt({ attempt: 1, outcome: 'failed', startedAt: at(0), finishedAt: at(1_000) }),
  attempt({ attempt: 2, outcome: 'completed', startedAt: at(3_000), finishedAt: at(5_000) }),
]);
const ship = step('ship', 6_000, [
  attempt({ attempt: 1, outcome: 'completed', startedAt: at(6_000), finishedAt: at(7_000) }),
]);
const refund = step('compensate:pay', 8_000, [
  attempt({ attempt: 1, outcome: 'completed', startedAt: at(8_000), finishedAt: at(9_000) }),
]);

describe('renderHtml timeline', () => {
  it('draws every attempt on its step lane, on one time scale', () => {
    const bars = barsOf(renderHtml(report([two, ship])));
    expect(bars.map((b) => [b.step, b.attempt])).toEqual([
      ['pay', 1],
      ['pay', 2],
      ['ship', 1],
    ]);
    const [p1, p2, s1] = bars as [Bar, Bar, Bar];
    // Same lane for the attempts of one step, a lower lane for the next step.
    expect(p2.y).toBe(p1.y);
    expect(s1.y).toBeGreaterThan(p1.y);
    // One scale: 1 s of attempt 1 and 2 s of attempt 2; attempt 2 starts 3 s in, ship 6 s in.
    expect(p2.width / p1.width).toBeCloseTo(2, 1);
    expect((p2.x - p1.x) / p1.width).toBeCloseTo(3, 1);
    expect((s1.x - p1.x) / p1.width).toBeCloseTo(6, 1);
  });

  it('draws compensations after the forward steps, below a rule', () => {
    const html = renderHtml(report([two, ship], [refund]));
    const bars = barsOf(html);
    const lastForward = bars.find((b) => b.step === 'ship')!;
    const compensation = bars.find((b) => b.step === 'compensate:pay')!;
    const rule = ruleY(html);
    expect(rule).toBeDefined();
    expect(rule!).toBeGreaterThan(lastForward.y + 18);
    expect(rule!).toBeLessThan(compensation.y);
    // The rule takes room of its own: the gap between the lanes is wider than between two forward steps.
    const pay = bars.find((b) => b.step === 'pay')!;
    expect(compensation.y - lastForward.y).toBeGreaterThan(lastForward.y - pay.y);
  });

  it('draws no rule without compensations', () => {
    expect(ruleY(renderHtml(report([two, ship])))).toBeUndefined();
  });

  it('a report with only compensations still separates them', () => {
    const html = renderHtml(report([], [refund]));
    expect(ruleY(html)).toBeDefined();
    expect(ruleY(html)!).toBeLessThan(barsOf(html)[0]!.y);
  });
});
