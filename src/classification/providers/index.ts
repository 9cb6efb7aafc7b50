import { ANTHROPIC_PROFILE } from './anthropic';
import { GEMINI_PROFILE } from './gemini';
import { GITHUB_PROFILE } from './github';
import { IETF_RATELIMIT_PROFILE } from './ietf-ratelimit';
import { OPENAI_PROFILE } from './openai';
import type { ProviderProfile } from './provider-profile';
import { STRIPE_PROFILE } from './stripe';

export {
  ANTHROPIC_PROFILE,
  GEMINI_PROFILE,
  GITHUB_PROFILE,
  IETF_RATELIMIT_PROFILE,
  OPENAI_PROFILE,
  STRIPE_PROFILE,
};

/**
 * The built-in provider profiles, in the order they are consulted. Provider-specific ones come before the generic
 * IETF one, so a provider's own reading of a shared header wins.
 */
export const DEFAULT_PROVIDER_PROFILES: readonly ProviderProfile[] = [
  OPENAI_PROFILE,
  ANTHROPIC_PROFILE,
  GEMINI_PROFILE,
  GITHUB_PROFILE,
  STRIPE_PROFILE,
  IETF_RATELIMIT_PROFILE,
];

/**
 * The profiles to consult: the user's first (in their order), then the built-ins whose names the user did not
 * take. A user profile named like a built-in replaces it; `[]` keeps the built-ins.
 */
export function resolveProfiles(user: readonly ProviderProfile[] | undefined): readonly ProviderProfile[] {
  if (!user || user.length === 0) return DEFAULT_PROVIDER_PROFILES;
  const names = new Set(user.map((p) => p.name));
  return [...user, ...DEFAULT_PROVIDER_PROFILES.filter((p) => !names.has(p.name))];
}
