import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

const fixture = (name: string) => join(__dirname, '../fixtures', name);

describe('the workflow entry point in the SDK bundler', () => {
  it('bundles a workflow that imports temporal-resilience/workflow', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: fixture('workflow-importing-entry.ts'),
      logger: new DefaultLogger('WARN'),
    });
    expect(code).toContain('importsWorkflowEntry');
  });

  it('rejects a workflow that pulls in Node-only modules (the check can fail)', async () => {
    const logged: string[] = [];
    const logger = new DefaultLogger('ERROR', (entry) =>
      logged.push(`${entry.message} ${JSON.stringify(entry.meta)}`),
    );
    await expect(
      bundleWorkflowCode({ workflowsPath: fixture('workflow-importing-node.ts'), logger }),
    ).rejects.toThrow(/Webpack finished with errors/);
    expect(logged.join('\n')).toMatch(/disallowed modules|node:http/);
  });
});
