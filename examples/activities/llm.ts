/**
 * A reference LLM activity: one request per attempt, cost recorded from the provider's usage report even when the
 * call fails (a failed completion still bills its tokens).
 */
import { recordCost, resilientFetch } from '../../activities';
import { isHttpError } from '../../index';

/** Model name the reference app prices in the plugin's `prices` table. */
export const REFERENCE_MODEL = 'reference-llm';

interface Usage {
  readonly input_tokens?: number;
  readonly output_tokens?: number;
}

function usageOf(body: string): Usage | undefined {
  try {
    return (JSON.parse(body) as { usage?: Usage }).usage;
  } catch {
    return undefined;
  }
}

function record(usage: Usage | undefined): void {
  if (usage)
    recordCost({
      model: REFERENCE_MODEL,
      inputTokens: usage.input_tokens,
      outputTokens: usage.output_tokens,
    });
}

/** Asks the model; records the tokens the provider reports on success and on failure. */
export async function chat(baseUrl: string, prompt: string): Promise<string> {
  try {
    const response = await resilientFetch(`${baseUrl}/v1/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: REFERENCE_MODEL, prompt }),
      headers: { 'content-type': 'application/json' },
    });
    const body = await response.text();
    record(usageOf(body));
    return (JSON.parse(body) as { text: string }).text;
  } catch (error) {
    if (isHttpError(error)) record(usageOf(error.body));
    throw error;
  }
}
