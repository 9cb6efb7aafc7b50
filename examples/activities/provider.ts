/**
 * Reference activities: they call the fake provider (or any HTTP API) the way a real integration would, through
 * `resilientFetch`. Used by the demo, the integration tests and the benchmarks.
 *
 * One retry owner: these make exactly one request per attempt. When you use a provider SDK instead, turn its own
 * retries off (`new OpenAI({ maxRetries: 0 })`, `new Stripe(key, { maxNetworkRetries: 0 })`) so retries do not stack.
 */
import { resilientFetch } from '../../activities';
import { HttpError } from '../../index';

/** What a provider call returned. */
export interface ProviderReply {
  readonly status: number;
  readonly body: string;
}

/** POSTs to `url` through `resilientFetch`; a non-2xx answer throws an `HttpError` the toolkit classifies. */
export async function callProvider(
  url: string,
  timeouts: { responseTimeoutMs?: number } = {},
): Promise<ProviderReply> {
  const response = await resilientFetch(url, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
    responseTimeoutMs: timeouts.responseTimeoutMs ?? 10_000,
  });
  return { status: response.status, body: await response.text() };
}

/**
 * The same call written the way teams do before adopting the toolkit: plain `fetch`, an error with the status in
 * its message. The benchmarks and the demo's "without the toolkit" runs use it as the baseline.
 */
export async function callProviderPlain(url: string): Promise<ProviderReply> {
  const response = await fetch(url, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  const body = await response.text();
  if (!response.ok)
    throw new HttpError(response.status, Object.fromEntries(response.headers), body, url.split('?')[0]);
  return { status: response.status, body };
}

/** Reads a streamed answer; `resilientFetch` heartbeats as bytes arrive, so only a stalled stream times out. */
export async function streamProvider(url: string): Promise<string> {
  return (await resilientFetch(url, { method: 'POST', body: '{}' })).text();
}
