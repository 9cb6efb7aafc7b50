/**
 * Reference activities of the prospect-outreach workflow: an LLM drafts, an email API sends. The two sends use the
 * same activity type under different step names, so each gets its own idempotency key.
 */
import { resilientFetch } from '../../activities';

export interface Prospect {
  readonly baseUrl: string;
  readonly email: string;
  readonly company: string;
}

/** Asks the LLM for a short message. One request per attempt: the toolkit owns retries. */
export async function draftMessage(prospect: Prospect, purpose: 'intro' | 'follow-up'): Promise<string> {
  const response = await resilientFetch(`${prospect.baseUrl}/llm/draft`, {
    method: 'POST',
    body: JSON.stringify({ company: prospect.company, purpose }),
    headers: { 'content-type': 'application/json' },
    responseTimeoutMs: 5_000,
  });
  return (await response.json<{ text: string }>()).text;
}

/** Sends an email; the email API deduplicates by `Idempotency-Key`. */
export async function sendEmail(prospect: Prospect, text: string): Promise<{ id: string }> {
  const response = await resilientFetch(`${prospect.baseUrl}/email/send`, {
    method: 'POST',
    body: JSON.stringify({ to: prospect.email, text }),
    headers: { 'content-type': 'application/json' },
  });
  return response.json<{ id: string }>();
}
