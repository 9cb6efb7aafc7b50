/**
 * @module temporal-resilience/workflow
 *
 * Code safe inside the Temporal workflow sandbox: deterministic, no Node built-ins, no worker APIs.
 */
export { HttpError, isHttpError } from '../src';
