import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const root = join(__dirname, '../..');
const rulesDir = join(root, 'ops/prometheus');
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));

/** Runs promtool; its output (stdout and stderr) becomes the assertion message when it fails. */
function promtool(args: string[], cwd = rulesDir): { status: number; output: string } {
  if (!PROMTOOL) {
    throw new Error(
      'promtool is missing: install Debian\'s "prometheus" package (apt-get install -y prometheus); ' +
        'scripts/test.sh does it when run as root',
    );
  }
  try {
    const output = execFileSync(PROMTOOL, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, output };
  } catch (error) {
    const e = error as { status: number; stdout?: string; stderr?: string };
    return { status: e.status, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('Prometheus alert rules (ops/prometheus) with promtool', () => {
  it('pass `promtool check rules`', () => {
    const result = promtool(['check', 'rules', 'alerts.yml']);
    expect(result.output).toContain('SUCCESS: 4 rules found');
    expect(result.status, result.output).toBe(0);
  });

  it('pass their unit tests, `promtool test rules alerts.test.yml`', () => {
    const result = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  it('unit tests that fail when a threshold drifts (the tests can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'promtool-'));
    const rules = readFileSync(join(rulesDir, 'alerts.yml'), 'utf8')
      .replace('(temporal_resilience_attempt_idle) >= 300', '(temporal_resilience_attempt_idle) >= 240')
      .replace('> 3 * histogram_quantile', '> 100 * histogram_quantile');
    writeFileSync(join(dir, 'alerts.yml'), rules);
    writeFileSync(join(dir, 'alerts.test.yml'), readFileSync(join(rulesDir, 'alerts.test.yml')));
    const result = promtool(['test', 'rules', 'alerts.test.yml'], dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('alertname: AttemptWithoutHeartbeatFiveMinutes, time: 4m');
    expect(result.output).toContain('alertname: ExecutionCostAboveThreeTimesMedian, time: 2m');
  });

  it('has the alerts operators asked for, each with a summary and a severity', () => {
    const groups = (
      parse(readFileSync(join(rulesDir, 'alerts.yml'), 'utf8')) as {
        groups: Array<{
          rules: Array<{ alert: string; labels: { severity: string }; annotations: { summary: string } }>;
        }>;
      }
    ).groups;
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'AttemptWithoutHeartbeatFiveMinutes',
      'CircuitOpened',
      'ExecutionCostAboveThreeTimesMedian',
      'QuotaHoldActive',
    ]);
    for (const rule of rules) {
      expect(rule.labels.severity, rule.alert).toMatch(/^(warning|critical)$/);
      expect(rule.annotations.summary.length, rule.alert).toBeGreaterThan(10);
    }
  });

  it("the compose stack's prometheus.yml passes `promtool check config` with the rules it loads", () => {
    const dir = mkdtempSync(join(tmpdir(), 'promtool-config-'));
    const config = parse(readFileSync(join(rulesDir, 'prometheus.yml'), 'utf8')) as { rule_files: string[] };
    // In the container the rules are mounted at /etc/prometheus; here they are read from the repository.
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    config.rule_files = [join(rulesDir, 'alerts.yml')];
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const result = promtool(['check', 'config', join(dir, 'prometheus.yml')], dir);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS: 4 rules found');
  });
});
