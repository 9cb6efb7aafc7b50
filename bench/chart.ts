/**
 * Step charts as SVG for the bench: series of (time, value) points against a horizontal reference line.
 */

/** One line of a chart: (ms since the scenario's start, value) points, drawn as steps. */
export interface Series {
  readonly label: string;
  readonly colour: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly dashed?: boolean;
}

const WIDTH = 760;
const HEIGHT = 300;
const PAD = { left: 48, right: 16, top: 34, bottom: 56 };

/** An SVG step chart with axes, a title, a legend and an optional reference line (e.g. the provider's capacity). */
export function stepChart(
  title: string,
  series: readonly Series[],
  reference?: { label: string; value: number },
): string {
  const all = series.flatMap((s) => s.points);
  const maxT = Math.max(1, ...all.map(([t]) => t));
  const maxV = Math.max(1, reference?.value ?? 0, ...all.map(([, v]) => v)) * 1.1;
  const x = (t: number) => PAD.left + (t / maxT) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => HEIGHT - PAD.bottom - (v / maxV) * (HEIGHT - PAD.top - PAD.bottom);
  const path = (points: Series['points']) => {
    let d = '';
    let last: number | undefined;
    for (const [t, v] of points) {
      d += d === '' ? `M${x(t).toFixed(1)},${y(v).toFixed(1)}` : `H${x(t).toFixed(1)}V${y(v).toFixed(1)}`;
      last = t;
    }
    return last === undefined ? '' : d;
  };
  const ticks = niceTicks(maxT / 1000).map(
    (s) =>
      `<line x1="${x(s * 1000)}" y1="${HEIGHT - PAD.bottom}" x2="${x(s * 1000)}" y2="${HEIGHT - PAD.bottom + 4}" stroke="#333"/>` +
      `<text x="${x(s * 1000)}" y="${HEIGHT - PAD.bottom + 16}" font-size="11" text-anchor="middle">${s}</text>`,
  );
  const vTicks = niceTicks(maxV).map(
    (v) =>
      `<line x1="${PAD.left - 4}" y1="${y(v)}" x2="${WIDTH - PAD.right}" y2="${y(v)}" stroke="#eee"/>` +
      `<text x="${PAD.left - 8}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v}</text>`,
  );
  const legend = [
    ...series.map((s) => ({ label: s.label, colour: s.colour, dashed: s.dashed })),
    ...(reference ? [{ label: reference.label, colour: '#d62728', dashed: true }] : []),
  ].map(
    (s, i) =>
      `<line x1="${PAD.left + i * 185}" y1="${HEIGHT - 14}" x2="${PAD.left + i * 185 + 22}" y2="${HEIGHT - 14}" stroke="${s.colour}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>` +
      `<text x="${PAD.left + i * 185 + 28}" y="${HEIGHT - 10}" font-size="11">${escape(s.label)}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PAD.left}" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    ...vTicks,
    `<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" stroke="#333"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" stroke="#333"/>`,
    ...ticks,
    `<text x="${(WIDTH + PAD.left) / 2}" y="${HEIGHT - PAD.bottom + 32}" font-size="11" text-anchor="middle">seconds since the first request</text>`,
    ...(reference
      ? [
          `<line x1="${PAD.left}" y1="${y(reference.value)}" x2="${WIDTH - PAD.right}" y2="${y(reference.value)}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="5,3"/>`,
        ]
      : []),
    ...series.map(
      (s) =>
        `<path d="${path(s.points)}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`,
    ),
    ...legend,
    '</svg>',
  ].join('\n');
}

/**
 * Calls in flight over time from (start, end) intervals, as step points. Every edge at the same millisecond is applied
 * before a point is drawn: a call answered in the millisecond it arrived (a fast 429) and a call starting as another
 * ends would otherwise draw a spike below zero or above the true level.
 */
export function inFlightSeries(intervals: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const deltas = new Map<number, number>();
  for (const [start, end] of intervals) {
    deltas.set(start, (deltas.get(start) ?? 0) + 1);
    deltas.set(end, (deltas.get(end) ?? 0) - 1);
  }
  const points: Array<[number, number]> = [[0, 0]];
  let level = 0;
  for (const t of [...deltas.keys()].sort((a, b) => a - b)) {
    level += deltas.get(t)!;
    points.push([t, level]);
  }
  return points;
}

function niceTicks(max: number): number[] {
  const step = [1, 2, 5, 10, 20, 50, 100, 200, 500].find((s) => max / s <= 8) ?? 1000;
  const out: number[] = [];
  for (let v = 0; v <= max; v += step) out.push(v);
  return out;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
