/**
 * @module temporal-resilience
 *
 * The worker-side entry point: what a Node worker process registers and uses. For workflow code import
 * `temporal-resilience/workflow`; inside activities, `temporal-resilience/activity`.
 */
export * from './src';
export * from './interceptors';
