import { describe, expect, it } from 'vitest';
import { inFlightSeries, stepChart } from '../../bench/chart';

// The bench's charts are how a reader judges containment: a line below zero or above the true level is a lie.
describe('calls in flight for the bench charts', () => {
  it('never dips below zero for a call answered in the millisecond it arrived', () => {
    const points = inFlightSeries([
      [10, 10],
      [10, 50],
      [20, 20],
    ]);
    expect(Math.min(...points.map(([, v]) => v))).toBe(0);
    expect(points).toEqual([
      [0, 0],
      [10, 1],
      [20, 1],
      [50, 0],
    ]);
  });

  it('does not spike when one call starts as another ends', () => {
    const points = inFlightSeries([
      [0, 100],
      [100, 200],
      [100, 200],
    ]);
    expect(Math.max(...points.map(([, v]) => v))).toBe(2);
  });

  it('draws every line inside the plot', () => {
    const svg = stepChart(
      't',
      [
        {
          label: 'a',
          colour: '#000',
          points: inFlightSeries([
            [0, 5],
            [1, 2],
            [1, 3],
          ]),
        },
      ],
      {
        label: 'cap',
        value: 1,
      },
    );
    const path = /<path d="([^"]+)"/.exec(svg)![1]!;
    const ys = [...path.matchAll(/(?:V|M[\d.]+,)(-?[\d.]+)/g)].map((m) => Number(m[1]));
    expect(ys.length).toBeGreaterThan(3);
    expect(Math.max(...ys)).toBeLessThanOrEqual(300 - 56);
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(34);
  });
});
