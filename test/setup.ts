import { DefaultLogger, Runtime } from '@temporalio/worker';

// Workers log every state change at INFO and every failed attempt at WARN; the tests assert those themselves.
Runtime.install({ logger: new DefaultLogger('ERROR') });
