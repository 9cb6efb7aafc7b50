import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The metric names and labels of the dashboard are checked against a real worker's /metrics in
// test/integration/operations-metrics.test.ts; this checks the dashboard's own structure.
const root = join(__dirname, '../..');
const dashboard = JSON.parse(
  readFileSync(join(root, 'ops/grafana/dashboards/temporal-resilience.json'), 'utf8'),
) as {
  uid: string;
  panels: Array<{
    id: number;
    type: string;
    title: string;
    datasource?: { uid: string };
    gridPos: { x: number; y: number; w: number; h: number };
    targets?: Array<{ expr: string; datasource?: { uid: string } }>;
  }>;
};
const datasources = parse(
  readFileSync(join(root, 'ops/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
) as { datasources: Array<{ uid: string; type: string }> };

const CORE_PANELS = ['row', 'timeseries', 'heatmap', 'state-timeline', 'stat', 'table'];

describe('the Grafana dashboard (ops/grafana/dashboards/temporal-resilience.json)', () => {
  it('uses core panel types, unique ids, and the provisioned Prometheus data source', () => {
    const prometheus = datasources.datasources.find((d) => d.type === 'prometheus')!.uid;
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(CORE_PANELS, panel.title).toContain(panel.type);
      if (panel.type === 'row') continue;
      expect(panel.datasource?.uid, panel.title).toBe(prometheus);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid, panel.title).toBe(prometheus);
    }
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const { title, gridPos } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('has the panels operators asked for', () => {
    const byTitle = (re: RegExp) => dashboard.panels.find((p) => re.test(p.title));
    const cost = byTitle(/^Execution cost by workflow type/)!;
    const exprs = cost.targets!.map((t) => t.expr);
    expect(exprs.some((e) => e.startsWith('histogram_quantile(0.5,'))).toBe(true);
    expect(exprs.some((e) => e.startsWith('3 * histogram_quantile(0.5,'))).toBe(true);
    expect(byTitle(/^Execution cost distribution/)!.type).toBe('heatmap');
    expect(byTitle(/^Attempts by outcome and class/)).toBeDefined();
    expect(byTitle(/^Retry delay chosen by class/)).toBeDefined();
    expect(byTitle(/^Circuit state per tool/)!.type).toBe('state-timeline');
    expect(byTitle(/^HTTP 429s by tool and class/)).toBeDefined();
    expect(byTitle(/^Quota holds/)).toBeDefined();
    expect(byTitle(/^Longest time without a heartbeat/)!.targets![0]!.expr).toContain(
      'temporal_resilience_attempt_idle',
    );
  });
});
