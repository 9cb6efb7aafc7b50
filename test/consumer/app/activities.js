// The consumer app's activities: the activity entry point only.
const { Context } = require('@temporalio/activity');
const { idempotencyKey } = require('temporal-resilience/activity');

const keys = new Set();

/** Fails with a transient error on the first two attempts, then greets; every attempt must see one key. */
async function flaky(name) {
  keys.add(idempotencyKey());
  const attempt = Context.current().info.attempt;
  if (attempt < 3) {
    const error = new Error(`connection reset (attempt ${attempt})`);
    error.code = 'ECONNRESET';
    throw error;
  }
  return { greeting: `hello ${name}`, keys: keys.size };
}

module.exports = { flaky };
