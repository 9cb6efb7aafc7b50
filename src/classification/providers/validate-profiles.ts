import { InvalidOptionsError } from '../../errors/invalid-options-error';
import type { ProviderProfile } from './provider-profile';

const KINDS = ['wait', 'cap', 'stop', 'retry', 'fail', 'throttle'];
const WINDOWS = ['next-utc-day', 'next-pacific-day', 'next-utc-month'];
const FORMATS = ['delay', 'time', 'auto'];

/**
 * Checks user provider profiles (`classify.providers`) when the plugin is created, so a typo fails at start-up with
 * the option's path, not silently at the first 429. Throws {@link InvalidOptionsError}.
 */
export function validateProviderProfiles(profiles: unknown, path = 'classify.providers'): void {
  if (profiles === undefined) return;
  if (!Array.isArray(profiles)) {
    throw new InvalidOptionsError(
      path,
      'must be an array of provider profiles, e.g. [{ name: "tavily", codes: {...} }]',
      profiles,
    );
  }
  const names = new Set<string>();
  profiles.forEach((profile: Partial<ProviderProfile> | undefined, i) => {
    const at = `${path}[${i}]`;
    if (profile === null || typeof profile !== 'object') {
      throw new InvalidOptionsError(at, 'must be a provider profile object', profile);
    }
    if (typeof profile.name !== 'string' || profile.name === '') {
      throw new InvalidOptionsError(`${at}.name`, 'must be a non-empty string', profile.name);
    }
    if (names.has(profile.name)) {
      throw new InvalidOptionsError(`${at}.name`, 'must be unique among your profiles', profile.name);
    }
    names.add(profile.name);
    const meanings = [
      ...Object.entries(profile.codes ?? {}).map(([code, m]) => [`${at}.codes.${code}`, m] as const),
      ...Object.entries(profile.statuses ?? {}).map(
        ([status, m]) => [`${at}.statuses.${status}`, m] as const,
      ),
    ];
    for (const [where, meaning] of meanings) {
      if (!KINDS.includes(meaning?.kind as string)) {
        throw new InvalidOptionsError(
          `${where}.kind`,
          `must be one of ${KINDS.map((k) => `'${k}'`).join(', ')}`,
          meaning?.kind,
        );
      }
      if (typeof meaning.reason !== 'string' || meaning.reason === '') {
        throw new InvalidOptionsError(`${where}.reason`, 'must be a non-empty string code', meaning.reason);
      }
      if (meaning.until !== undefined && !WINDOWS.includes(meaning.until)) {
        throw new InvalidOptionsError(
          `${where}.until`,
          `must be one of ${WINDOWS.join(', ')}`,
          meaning.until,
        );
      }
    }
    for (const [j, budget] of (profile.budgets ?? []).entries()) {
      const b = `${at}.budgets[${j}]`;
      for (const field of ['name', 'remaining', 'reset'] as const) {
        if (typeof budget?.[field] !== 'string' || budget[field] === '') {
          throw new InvalidOptionsError(
            `${b}.${field}`,
            'must be a non-empty string (header names in lower case)',
            budget?.[field],
          );
        }
      }
      if (
        budget.remaining !== budget.remaining.toLowerCase() ||
        budget.reset !== budget.reset.toLowerCase()
      ) {
        throw new InvalidOptionsError(`${b}.remaining`, 'header names must be lower case', budget.remaining);
      }
      if (!FORMATS.includes(budget.resetFormat)) {
        throw new InvalidOptionsError(
          `${b}.resetFormat`,
          `must be one of ${FORMATS.join(', ')}`,
          budget.resetFormat,
        );
      }
    }
    for (const hook of ['inspect', 'readBudgets'] as const) {
      if (profile[hook] !== undefined && typeof profile[hook] !== 'function') {
        throw new InvalidOptionsError(`${at}.${hook}`, 'must be a function', profile[hook]);
      }
    }
  });
}
