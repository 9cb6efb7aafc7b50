import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
}

const root = join(__dirname, '../..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Running on the docker-compose stack'));

/** Rows of the markdown tables in the docker-compose section, as arrays of cell texts without backticks. */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/`/g, '')),
    );
}

describe('docker-compose.yml', () => {
  const services = compose.services;

  it('has Temporal on PostgreSQL, its UI and an OTLP trace viewer', () => {
    expect(Object.keys(services).sort()).toEqual(['jaeger', 'postgresql', 'temporal', 'temporal-ui']);
    expect(services.temporal!.image).toMatch(/^temporalio\/auto-setup:\d/);
    expect(services.temporal!.environment!.DB).toBe('postgres12');
    expect(services.temporal!.environment!.POSTGRES_SEEDS).toBe('postgresql');
    expect(Object.keys(services.temporal!.depends_on ?? {})).toContain('postgresql');
    expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services.jaeger!.environment!.COLLECTOR_OTLP_ENABLED).toBe('true');
  });

  it('publishes exactly the images and ports the README documents', () => {
    const documented = tableRows(section).filter((row) => row.length === 4 && row[0] !== 'service');
    expect(documented.map((row) => row[0]).sort()).toEqual(Object.keys(services).sort());
    for (const [service, image, ports] of documented) {
      const published = (services[service!]!.ports ?? []).map((p) => p.split(':')[0]);
      expect(services[service!]!.image, service).toBe(image);
      expect(published, service).toEqual(ports!.split(',').map((p) => p.trim()));
    }
  });

  it('sets every environment variable the README documents', () => {
    const documented = tableRows(section).filter((row) => row.length === 3 && row[0] !== 'service');
    expect(documented.length).toBeGreaterThan(0);
    for (const [service, variables] of documented) {
      for (const name of variables!.split('/').map((v) => v.trim())) {
        expect(Object.keys(services[service!]!.environment ?? {}), `${service} ${name}`).toContain(name);
      }
    }
  });
});
