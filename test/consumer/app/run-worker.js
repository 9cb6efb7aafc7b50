// Runs the consumer workflow on a real server with the toolkit's plugin, after bundling it with zero warnings.
// Usage: node run-worker.js <address> <workflowId> [otel-setup-module]
// Prints one JSON line: { result, bundleWarnings, otel? }.
const { resolve } = require('node:path');
const { Client, Connection } = require('@temporalio/client');
const {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
} = require('@temporalio/worker');
const { resiliencePlugin } = require('temporal-resilience');

async function main() {
  const [address, workflowId, otelSetup] = process.argv.slice(2);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  // An OpenTelemetry setup module (see otel-v2.js) gives the plugins to register before the toolkit's.
  const otel = otelSetup ? require(resolve(otelSetup)) : undefined;
  const plugin = resiliencePlugin();
  const plugins = [...(otel ? otel.plugins : []), plugin];

  // The bundler reports warnings (e.g. source maps without their sources) inside its INFO summary as
  // "modules with warnings", not as WARN entries: every entry at any level that mentions a warning counts.
  const bundleWarnings = [];
  const logger = new DefaultLogger('TRACE', (entry) => {
    if (entry.level === 'WARN' || entry.level === 'ERROR' || /warning/i.test(entry.message)) {
      bundleWarnings.push(entry.message);
    }
  });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows'),
    plugins,
    logger,
  });

  const connection = await NativeConnection.connect({ address });
  const client = new Client({ connection: await Connection.connect({ address }) });
  const taskQueue = `consumer-${workflowId}`;
  try {
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle,
      activities: require('./activities'),
      plugins,
    });
    const result = await worker.runUntil(
      client.workflow.execute('consumerWorkflow', { taskQueue, workflowId, args: ['ada'] }),
    );
    const otelReport = otel ? await otel.finish() : undefined;
    console.log(JSON.stringify({ result, bundleWarnings, otel: otelReport }));
  } finally {
    await connection.close();
    await client.connection.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
