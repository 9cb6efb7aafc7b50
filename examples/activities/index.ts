/** The reference app's activities, registered together on the worker. */
export * from './provider';
export * from './trip';
export * from './outreach';
export * from './llm';
export * from './noop';
