/**
 * @module temporal-resilience/src
 *
 * The pure core: no Node built-ins, no worker or activity APIs. Safe in workers, activities, clients and the
 * workflow sandbox alike.
 */
export { HttpError, isHttpError } from './errors/http-error';
export type { HttpHeaders } from './errors/http-error';
