/**
 * Reference activities: they call the fake provider (or any HTTP API) the way a real integration would.
 * Used by the demo, the integration tests and the benchmarks.
 */
import { HttpError } from '../index';

/** What a provider call returned. */
export interface ProviderReply {
  readonly status: number;
  readonly body: string;
}

/**
 * POSTs to `url` and throws an {@link HttpError} for any non-2xx answer, so the failure carries status and headers.
 */
export async function callProvider(url: string): Promise<ProviderReply> {
  const response = await fetch(url, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  const body = await response.text();
  if (!response.ok) {
    throw new HttpError(response.status, Object.fromEntries(response.headers), body, url.split('?')[0]);
  }
  return { status: response.status, body };
}
