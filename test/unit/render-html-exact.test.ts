import { describe, expect, it } from 'vitest';
import { renderHtml, type InspectReport, type StepReport } from '../../src';
import { at, completedStep, toolkitAttempt as attempt } from '../helpers/inspect-reports';

// Facts of the inspect HTML page that the two golden pages do not reach: the colour of every verdict, the time scale
// when the execution took no time or its last moment is a step's close or an attempt's end, the axis's last tick,
// how labels share lines (exactly 6 px apart still share one), and the cells of attempts without times. An operator
// reads the page without hovering, so each of these is text or a position on the page.

/** Explained `x`: these tests look at bars and cells, not the explanation. */
const step = (more: Parameters<typeof completedStep>[0]): StepReport =>
  completedStep({ explanation: 'x', ...more });
const report = (more: Partial<InspectReport> = {}): InspectReport => ({
  schemaVersion: 1,
  workflowId: 'wf',
  runId: 'run',
  workflowType: 'flow',
  status: 'completed',
  startedAt: at(0),
  closedAt: at(8_800),
  toolkit: true,
  steps: [],
  compensations: [],
  ...more,
});

/** The `<text>` labels under the bars and on the waits, as [x, y, text]. */
const labels = (html: string): Array<[number, number, string]> =>
  [...html.matchAll(/<text x="([\d.]+)" y="(\d+)" class="(?:bar-label|gap)">([^<]*)<\/text>/g)].map((m) => [
    Number(m[1]),
    Number(m[2]),
    m[3]!,
  ]);
const bars = (html: string): Array<[number, number]> =>
  [
    ...html.matchAll(
      /<rect class="attempt[^"]*" data-step="[^"]*" data-attempt="\d+" x="([\d.]+)" y="\d+" width="([\d.]+)"/g,
    ),
  ].map((m) => [Number(m[1]), Number(m[2])]);
const ticks = (html: string): string[] =>
  [...html.matchAll(/<text x="[\d.]+" y="24" class="tick-label">([^<]*)<\/text>/g)].map((m) => m[1]!);

describe('renderHtml verdict colours', () => {
  it.each([
    ['ok', '#2e7d32'],
    ['delayed-retry', '#558b2f'],
    ['pending', '#00838f'],
    ['circuit-open-fast-fail', '#ef6c00'],
    ['terminal-policy-failure', '#c62828'],
    ['immediate-retry', '#b71c1c'],
    ['duplicate-dispatch', '#880e4f'],
    ['lease-overlap', '#4a148c'],
    ['duplicate-log', '#37474f'],
    // A verdict without a colour of its own (e.g. one a newer toolkit reports) is dark grey.
    ['a-verdict-from-the-future', '#444'],
  ] as const)('%s is drawn in %s on the timeline and in the step heading', (verdict, colour) => {
    const html = renderHtml(
      report({ steps: [step({ step: 's', verdict: verdict as StepReport['verdict'], attempts: [] })] }),
    );
    expect(html).toContain(`<text x="8" y="78" class="verdict" fill="${colour}">${verdict}</text>`);
    expect(html).toContain(`<span style="color:${colour}">${verdict}</span>`);
  });
});

describe('renderHtml time scale', () => {
  it('an execution that took no time still gets a finite scale (1 ms wide)', () => {
    const html = renderHtml(report({ closedAt: at(0) }));
    expect(html).not.toContain('NaN');
    expect(html).not.toContain('Infinity');
    expect(ticks(html)).toEqual(['+0 ms', '+1 ms']);
    expect(html).toContain('(0 ms)');
  });

  it('a running execution ends its scale at the last step close', () => {
    const html = renderHtml(
      report({
        closedAt: undefined,
        steps: [
          step({
            step: 's',
            closedAt: at(4_000),
            attempts: [
              attempt({ attempt: 1, outcome: 'completed', startedAt: at(0), finishedAt: at(1_000) }),
            ],
          }),
        ],
      }),
    );
    // 1 s of 4 s is a quarter of the 880 px wide plot.
    expect(bars(html)).toEqual([[270, 220]]);
  });

  it('a running execution ends its scale at the last attempt end', () => {
    const html = renderHtml(
      report({
        closedAt: undefined,
        steps: [
          step({
            step: 's',
            outcome: 'pending',
            attempts: [
              attempt({ attempt: 1, outcome: 'failed', startedAt: at(0), finishedAt: at(1_000) }),
              attempt({ attempt: 2, outcome: 'running', startedAt: at(1_000), finishedAt: at(2_000) }),
            ],
          }),
        ],
      }),
    );
    expect(bars(html)).toEqual([
      [270, 440],
      [710, 440],
    ]);
  });

  it('an attempt that is not lost and has no end is drawn as a sliver, not stretched to the next one', () => {
    const html = renderHtml(
      report({
        steps: [
          step({
            step: 's',
            closedAt: at(4_000),
            attempts: [
              attempt({ attempt: 1, outcome: 'failed', startedAt: at(0) }),
              attempt({ attempt: 2, outcome: 'completed', startedAt: at(2_000), finishedAt: at(4_000) }),
            ],
          }),
        ],
      }),
    );
    expect(bars(html)).toEqual([
      [270, 4],
      [470, 200],
    ]);
  });

  it('ticks every second over 8 s, the last one at the very end', () => {
    expect(ticks(renderHtml(report({ closedAt: at(8_000) })))).toEqual([
      '+0 ms',
      '+1.00 s',
      '+2.00 s',
      '+3.00 s',
      '+4.00 s',
      '+5.00 s',
      '+6.00 s',
      '+7.00 s',
      '+8.00 s',
    ]);
  });

  it('keeps the last tick at the very end of a long execution too (22 h, where 1e-9 ms no longer counts)', () => {
    const shown = ticks(renderHtml(report({ closedAt: at(80_000_000) })));
    expect(shown).toHaveLength(9);
    expect(shown.at(-1)).toBe('+22 h 13 min');
  });

  it('ticks every 2 s over 8.8 s', () => {
    expect(ticks(renderHtml(report()))).toEqual(['+0 ms', '+2.00 s', '+4.00 s', '+6.00 s', '+8.00 s']);
  });
});

describe('renderHtml labels', () => {
  // Over 8.8 s one millisecond is 0.1 px; "#1 running" is 10 characters of 5.6 px: it ends 56 px after its start.
  const twoBars = (secondAtMs: number) =>
    labels(
      renderHtml(
        report({
          steps: [
            step({
              step: 's',
              attempts: [
                attempt({ attempt: 1, outcome: 'running', startedAt: at(0), finishedAt: at(100) }),
                attempt({
                  attempt: 2,
                  outcome: 'running',
                  startedAt: at(secondAtMs),
                  finishedAt: at(secondAtMs),
                }),
              ],
            }),
          ],
        }),
      ),
    );

  it('a label starting exactly 6 px after the previous one ends shares its line', () => {
    expect(twoBars(620)).toEqual([
      [270, 81, '#1 running'],
      [332, 81, '#2 running'],
    ]);
  });

  it('a label starting less than 6 px after the previous one ends goes on the next line', () => {
    expect(twoBars(619)).toEqual([
      [270, 81, '#1 running'],
      [331.9, 93, '#2 running'],
    ]);
  });

  it('a wide row pushes the next row down by a line per extra label line', () => {
    const html = renderHtml(
      report({
        steps: [
          step({
            step: 'a',
            attempts: [
              attempt({ attempt: 1, outcome: 'running', startedAt: at(0), finishedAt: at(0) }),
              attempt({ attempt: 2, outcome: 'running', startedAt: at(100), finishedAt: at(100) }),
              attempt({ attempt: 3, outcome: 'running', startedAt: at(200), finishedAt: at(200) }),
            ],
          }),
          step({ step: 'b', attempts: [] }),
        ],
      }),
    );
    expect(labels(html).map(([, y]) => y)).toEqual([81, 93, 105]);
    // Row a starts at 46 and takes 44 px plus 2 extra lines of 12 px: row b starts at 114.
    expect(html).toContain('<text x="8" y="130" class="label">b</text>');
    expect(html).toContain('height="168"');
  });

  it('places labels left to right whatever order they come in: the next attempt before a bar', () => {
    const html = renderHtml(
      report({
        steps: [
          step({
            step: 's',
            outcome: 'pending',
            verdict: 'pending',
            nextAttemptAt: at(0),
            attempts: [attempt({ attempt: 1, outcome: 'running', startedAt: at(5_000) })],
          }),
        ],
      }),
    );
    expect(labels(html)).toEqual([
      [270, 81, `next attempt ${at(0)}`],
      [770, 81, '#1 running'],
    ]);
  });

  it('says REFUSED for a refusal without a reason', () => {
    const html = renderHtml(
      report({
        steps: [
          step({
            step: 's',
            attempts: [attempt({ attempt: 1, outcome: 'refused', startedAt: at(0), finishedAt: at(0) })],
          }),
        ],
      }),
    );
    expect(labels(html)).toEqual([[270, 81, '#1 REFUSED']]);
    expect(html).toContain(
      'fill="#9e9e9e"><title>s attempt 1: refused\n2026-01-01T00:00:00.000Z</title></rect>',
    );
  });
});

describe('renderHtml attempt table', () => {
  it('shows "-" for a toolkit attempt without a start, "(not in history)" for a history one', () => {
    const html = renderHtml(
      report({
        steps: [
          step({
            step: 's',
            attempts: [
              attempt({ attempt: 1, outcome: 'unknown' }),
              attempt({ attempt: 2, outcome: 'unknown', source: 'history' }),
            ],
          }),
        ],
      }),
    );
    expect(html).toContain(
      '<tr><td class="num">1</td><td>-</td><td>-</td><td>unknown</td><td>-</td><td>-</td><td class="num">-</td><td class="num">-</td><td>-</td><td><code>-</code></td><td class="num">-</td><td>toolkit</td></tr>',
    );
    expect(html).toContain('<tr><td class="num">2</td><td>(not in history)</td><td>-</td><td>unknown</td>');
  });
});
