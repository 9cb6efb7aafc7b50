// The consumer app's workflow: imports only the workflow entry point, as a user's workflow file would.
const { proxyActivities } = require('@temporalio/workflow');
const { activityOptions, step } = require('temporal-resilience/workflow');

const { flaky } = proxyActivities(
  activityOptions('httpApi', { retry: { initialInterval: '50ms', maximumInterval: '200ms' } }),
);

/** Calls an activity that fails twice before it answers, under a named step. */
async function consumerWorkflow(name) {
  return step('greet', () => flaky(name));
}

module.exports = { consumerWorkflow };
