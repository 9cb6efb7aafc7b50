import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }> | string[];
  volumes?: string[];
  command?: string[];
  entrypoint?: string[];
  extra_hosts?: string[];
}

const root = join(__dirname, '../..');
const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(text) as Record<string, unknown> & { services: Record<string, ComposeService> };
const services = compose.services;
const operations = readFileSync(join(root, 'docs/operations.md'), 'utf8');
/** The compose section of docs/operations.md (up to the next top-level section). */
const docs = operations.slice(
  operations.indexOf('## The compose stack'),
  operations.indexOf('\n## ', operations.indexOf('## The compose stack') + 1),
);

/** Rows of the markdown tables of docs/operations.md, as arrays of cell texts without backticks. */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/`/g, '')),
    );
}

/** The `./host/path:/container/path[:ro]` bind mounts of a service. */
function binds(service: ComposeService): Array<{ host: string; container: string }> {
  return (service.volumes ?? [])
    .filter((v) => v.startsWith('./'))
    .map((v) => {
      const [host, container] = v.split(':');
      return { host: host!, container: container! };
    });
}

describe('docker-compose.yml', () => {
  it('is valid for the Compose specification (the schema dclint ships)', () => {
    const schema = JSON.parse(
      readFileSync(join(root, 'node_modules/dclint/schemas/compose.schema.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, validateSchema: false });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
    // The same schema rejects what Compose rejects: a wrong type where the check must bite.
    expect(validate({ services: { x: { image: 'a', ports: 'not-a-list' } } })).toBe(false);
  });

  it('loads in Compose v1 too: no top-level name, no obsolete version key', () => {
    expect(Object.keys(compose).sort()).toEqual(['services', 'volumes']);
  });

  it('pins every image to a version tag', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toMatch(/^[a-z0-9./-]+:[vV]?\d+(\.\d+)*$/);
    }
  });

  it('runs Temporal the current upstream way: temporalio/server after an admin-tools schema job', () => {
    expect(JSON.stringify(services)).not.toContain('auto-setup');
    const temporal = services.temporal!;
    expect(temporal.image).toMatch(/^temporalio\/server:/);
    expect(temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(temporal.depends_on).toEqual({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    const schema = services['temporal-schema']!;
    expect(schema.image).toMatch(/^temporalio\/admin-tools:/);
    expect(schema.image!.split(':')[1]).toBe(temporal.image!.split(':')[1]);
    expect(schema.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    const namespace = services['temporal-namespace']!;
    expect(namespace.image).toBe(schema.image);
    expect(namespace.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(namespace.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('runs the one-shot jobs from scripts in the repository that do what their names say', () => {
    for (const job of ['temporal-schema', 'temporal-namespace']) {
      const service = services[job]!;
      const script = service.command![0]!;
      const mount = binds(service).find((b) => script.startsWith(b.container + '/'))!;
      expect(mount, job).toBeDefined();
      const file = join(root, mount.host, script.slice(mount.container.length));
      expect(statSync(file).mode & 0o111, `${file} is executable`).not.toBe(0);
    }
    const setup = readFileSync(join(root, 'ops/temporal/setup-postgres.sh'), 'utf8');
    for (const db of ['temporal', 'temporal_visibility']) expect(setup).toContain(db);
    expect(setup).toContain('update-schema');
    expect(readFileSync(join(root, 'ops/temporal/create-namespace.sh'), 'utf8')).toContain(
      'operator namespace create',
    );
  });

  it('uses Jaeger v2, not the end-of-life v1 all-in-one image', () => {
    expect(services.jaeger!.image).toMatch(/^jaegertracing\/jaeger:2\./);
    expect(services.jaeger!.environment?.COLLECTOR_OTLP_ENABLED).toBeUndefined();
    expect(services.jaeger!.ports!.map((p) => p.split(':')[0])).toEqual(['16686', '4317', '4318']);
  });

  it('points every dependency and bind mount at something that exists', () => {
    for (const [name, service] of Object.entries(services)) {
      const deps = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
      for (const { host } of binds(service))
        expect(existsSync(join(root, host)), `${name}: ${host}`).toBe(true);
    }
  });

  it('has Prometheus scrape Temporal and the worker, and load the alert rules it mounts', () => {
    const prometheus = services.prometheus!;
    const config = parse(readFileSync(join(root, 'ops/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const mounted = binds(prometheus).map((b) => b.container);
    for (const file of config.rule_files) expect(mounted).toContain(file);
    const targets = Object.fromEntries(
      config.scrape_configs.map((c) => [c.job_name, c.static_configs.flatMap((s) => s.targets)]),
    );
    expect(targets.temporal).toEqual([
      `temporal:${services.temporal!.environment!.PROMETHEUS_ENDPOINT!.split(':')[1]}`,
    ]);
    expect(targets.worker!.every((t) => t.startsWith('host.docker.internal:'))).toBe(true);
    expect(prometheus.extra_hosts).toContain('host.docker.internal:host-gateway');
  });

  it('provisions Grafana with the Prometheus data source and the dashboard folder it mounts', () => {
    const grafana = services.grafana!;
    const mounts = Object.fromEntries(binds(grafana).map((b) => [b.container, b.host]));
    expect(mounts['/etc/grafana/provisioning']).toBe('./ops/grafana/provisioning');
    const provider = parse(
      readFileSync(join(root, 'ops/grafana/provisioning/dashboards/temporal-resilience.yml'), 'utf8'),
    ) as { providers: Array<{ options: { path: string } }> };
    const path = provider.providers[0]!.options.path;
    expect(existsSync(join(root, mounts[path]!, 'temporal-resilience.json'))).toBe(true);
    const datasources = parse(
      readFileSync(join(root, 'ops/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as { datasources: Array<{ uid: string; url: string }> };
    expect(datasources.datasources.find((d) => d.uid === 'prometheus')!.url).toBe(
      `http://prometheus:${services.prometheus!.ports![0]!.split(':')[1]}`,
    );
  });

  it('publishes exactly the images and ports docs/operations.md documents', () => {
    const documented = tableRows(docs).filter((row) => row.length === 4 && row[0] !== 'service');
    expect(documented.map((row) => row[0]).sort()).toEqual(Object.keys(services).sort());
    for (const [service, image, ports] of documented) {
      const published = (services[service!]!.ports ?? []).map((p) => p.split(':')[0]);
      expect(services[service!]!.image, service).toBe(image);
      expect(published, service).toEqual(ports === '-' ? [] : ports!.split(',').map((p) => p.trim()));
    }
  });
});
