/**
 * A small declarative schema for option objects, and the one walker that checks a value against it.
 *
 * Each options type is described by one table (`Schema`: option name → {@link Rule}); {@link validateOptions} walks
 * the value and throws {@link InvalidOptionsError} at the first problem, naming its full dotted path
 * (`tools.search.circuit.resetTimeout`) and saying what a valid value looks like. Unknown keys are rejected with a
 * "did you mean" hint, because a misspelt option silently falls back to its default, which is the worst failure an
 * option can have.
 *
 * Pure: no Node built-ins, safe anywhere.
 * @module
 */
import { InvalidOptionsError } from '../errors/invalid-options-error';
import { didYouMean } from './did-you-mean';

/** The longest delay a Node.js timer can wait (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Upper bound for counts (concurrency, thresholds, sizes of tables): anything larger is a typo or a unit mix-up. */
export const MAX_COUNT = 1_000_000_000;

/** A number within bounds. Bounds are inclusive unless marked exclusive. */
export interface NumberRule {
  readonly kind: 'number';
  readonly min?: number;
  readonly max?: number;
  readonly exclusiveMin?: boolean;
  readonly exclusiveMax?: boolean;
  /** Whole numbers only. */
  readonly integer?: boolean;
  /** Unit named in the message, e.g. `milliseconds`. */
  readonly unit?: string;
  /** Replaces the generated description (not the bounds: give both), e.g. `a fraction > 0 and ≤ 1`. */
  readonly description?: string;
  /** A valid value shown in the message, e.g. `30000`. */
  readonly example?: string;
  readonly required?: boolean;
}

/** One of a fixed list of values. */
export interface OneOfRule {
  readonly kind: 'oneOf';
  readonly values: readonly (string | number | boolean)[];
  readonly required?: boolean;
}

/** A value of a simple type. */
export interface TypeRule {
  readonly kind: 'boolean' | 'function' | 'regexp' | 'string';
  /** For `string`: reject `''`. */
  readonly nonEmpty?: boolean;
  /** For `function`: the expected signature, shown in the message, e.g. `(info, args) => string`. */
  readonly signature?: string;
  readonly required?: boolean;
}

/** An array whose items all follow `items`. */
export interface ArrayRule {
  readonly kind: 'array';
  readonly items: Rule;
  readonly required?: boolean;
}

/** An object with a fixed set of keys: any other key is rejected (with a "did you mean" hint). */
export interface ObjectRule {
  readonly kind: 'object';
  readonly fields: Schema;
  /** The options type's name, for the unknown-key message, e.g. `CircuitOptions`. */
  readonly typeName: string;
  readonly required?: boolean;
}

/** An object used as a map: any key, every value follows `values` (e.g. `tools`, `prices`). */
export interface RecordRule {
  readonly kind: 'record';
  readonly values: Rule;
  /** What a key means, for messages, e.g. `tool key`. */
  readonly keyName?: string;
  readonly required?: boolean;
}

/** A value accepted when any of `rules` accepts it, e.g. `number | number[]`. */
export interface AnyOfRule {
  readonly kind: 'anyOf';
  readonly rules: readonly Rule[];
  /** The message's description of valid values, e.g. `a status code or a list of them`. */
  readonly description: string;
  readonly required?: boolean;
}

/** Anything a predicate accepts, for types the other rules cannot say (an `AbortSignal`, an `Agent`). */
export interface CustomRule {
  readonly kind: 'custom';
  readonly test: (value: unknown) => boolean;
  /** The message's description of valid values, e.g. `an AbortSignal`. */
  readonly description: string;
  readonly required?: boolean;
}

/** How one option is checked. Build rules with the helpers ({@link num}, {@link duration}, {@link object}, ...). */
export type Rule =
  | NumberRule
  | OneOfRule
  | TypeRule
  | ArrayRule
  | ObjectRule
  | RecordRule
  | AnyOfRule
  | CustomRule;

/** One options type: option name → rule. */
export type Schema = Readonly<Record<string, Rule>>;

/**
 * The schema of options type `T`: exactly one rule per option, so adding an option to the interface without a rule
 * (or keeping a rule for a removed one) fails type-checking.
 */
export type SchemaFor<T> = { readonly [K in keyof T]-?: Rule };

/** A number; see {@link NumberRule}. */
export function num(rule: Omit<NumberRule, 'kind'> = {}): NumberRule {
  return { kind: 'number', ...rule };
}

/** Milliseconds from `min` (default 0) up to {@link MAX_TIMER_MS}. */
export function duration(rule: Omit<NumberRule, 'kind' | 'unit'> = {}): NumberRule {
  return { kind: 'number', min: 0, max: MAX_TIMER_MS, unit: 'milliseconds', ...rule };
}

/** A whole number from `min` (default 1) up to {@link MAX_COUNT}. */
export function count(rule: Omit<NumberRule, 'kind' | 'integer'> = {}): NumberRule {
  return { kind: 'number', integer: true, min: 1, max: MAX_COUNT, ...rule };
}

/** One of `values`. */
export function oneOf(values: OneOfRule['values']): OneOfRule {
  return { kind: 'oneOf', values };
}

/** A boolean. */
export function bool(): TypeRule {
  return { kind: 'boolean' };
}

/** A string (`nonEmpty` rejects `''`). */
export function str(rule: { readonly nonEmpty?: boolean; readonly required?: boolean } = {}): TypeRule {
  return { kind: 'string', ...rule };
}

/** A function; `signature` is shown in the message. */
export function fn(signature?: string): TypeRule {
  return signature === undefined ? { kind: 'function' } : { kind: 'function', signature };
}

/** A `RegExp` (a string is rejected: it would be matched literally by some callers and as a pattern by others). */
export function regexp(rule: { readonly required?: boolean } = {}): TypeRule {
  return { kind: 'regexp', ...rule };
}

/** An array of `items`. */
export function array(items: Rule): ArrayRule {
  return { kind: 'array', items };
}

/** An object with exactly the keys of `fields`; type `object<MyOptions>(...)` to have every option covered. */
export function object<T = Record<string, unknown>>(typeName: string, fields: SchemaFor<T>): ObjectRule {
  return { kind: 'object', typeName, fields };
}

/** A map from any key to `values`. */
export function record(values: Rule, keyName?: string): RecordRule {
  return keyName === undefined ? { kind: 'record', values } : { kind: 'record', values, keyName };
}

/** Any of `rules`. */
export function anyOf(description: string, ...rules: Rule[]): AnyOfRule {
  return { kind: 'anyOf', rules, description };
}

/** A value `test` accepts. */
export function custom(description: string, test: (value: unknown) => boolean): CustomRule {
  return { kind: 'custom', test, description };
}

/** `rule`, but the option must be present. */
export function required<R extends Rule>(rule: R): R {
  return { ...rule, required: true };
}

/**
 * Checks `value` against `rule`.
 *
 * @param path where `value` sits, used as the prefix of every reported path (`''` for a top-level options object,
 *   whose own problems are then reported as `options`).
 * @throws {@link InvalidOptionsError} at the first problem, naming its dotted path and how to fix it.
 *
 * @example
 * ```ts
 * validateOptions({ resetTimout: 5 }, object('CircuitOptions', { resetTimeout: duration() }), 'circuit');
 * // InvalidOptionsError: Invalid option circuit.resetTimout (5): is not an option of CircuitOptions; did you mean resetTimeout? ...
 * ```
 */
export function validateOptions(value: unknown, rule: Rule, path = ''): void {
  if (value === undefined) {
    if (rule.required)
      throw new InvalidOptionsError(path || 'options', `is required; it must be ${expected(rule)}`);
    return;
  }
  const problem = (): never => {
    throw new InvalidOptionsError(path || 'options', `must be ${expected(rule)}`, value);
  };
  switch (rule.kind) {
    case 'number':
      if (!numberOk(value, rule)) problem();
      return;
    case 'oneOf':
      if (!rule.values.includes(value as string)) problem();
      return;
    case 'boolean':
    case 'string':
    case 'function':
      if (typeof value !== rule.kind || (rule.nonEmpty && value === '')) problem();
      return;
    case 'regexp':
      if (!(value instanceof RegExp)) problem();
      return;
    case 'custom':
      if (!safeTest(rule.test, value)) problem();
      return;
    case 'anyOf':
      if (!rule.rules.some((r) => accepts(value, r, path))) problem();
      return;
    case 'array':
      if (!Array.isArray(value)) problem();
      (value as unknown[]).forEach((item, i) => validateOptions(item, rule.items, `${path}[${i}]`));
      return;
    case 'record':
      if (!isPlainObject(value)) problem();
      for (const [key, item] of Object.entries(value as object))
        validateOptions(item, rule.values, join(path, key));
      return;
    case 'object': {
      if (!isPlainObject(value)) problem();
      const known = Object.keys(rule.fields);
      for (const [key, item] of Object.entries(value as object)) {
        const field = Object.prototype.hasOwnProperty.call(rule.fields, key) ? rule.fields[key] : undefined;
        if (field === undefined) throw unknownKey(path, key, rule, item);
      }
      for (const key of known) {
        validateOptions((value as Record<string, unknown>)[key], rule.fields[key]!, join(path, key));
      }
      return;
    }
  }
}

/** What a valid value of `rule` is, in words, e.g. `a whole number ≥ 1 and ≤ 1000000000`. */
export function expected(rule: Rule): string {
  switch (rule.kind) {
    case 'number': {
      if (rule.description !== undefined) return withExample(rule.description, rule.example);
      const bounds: string[] = [];
      if (rule.min !== undefined) bounds.push(`${rule.exclusiveMin ? '>' : '≥'} ${rule.min}`);
      if (rule.max !== undefined) {
        const note = rule.max === MAX_TIMER_MS ? ' (the longest timer, about 24.8 days)' : '';
        bounds.push(`${rule.exclusiveMax ? '<' : '≤'} ${rule.max}${note}`);
      }
      const what = `${rule.integer ? 'a whole number' : 'a number'}${rule.unit ? ` of ${rule.unit}` : ''}`;
      return withExample([what, bounds.join(' and ')].filter(Boolean).join(' '), rule.example);
    }
    case 'oneOf':
      return `one of ${rule.values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      return rule.nonEmpty ? 'a non-empty string' : 'a string';
    case 'function':
      return rule.signature ? `a function ${rule.signature}` : 'a function';
    case 'regexp':
      return 'a RegExp, e.g. /quota/i (not a string)';
    case 'custom':
    case 'anyOf':
      return rule.description;
    case 'array':
      return `an array whose items are each ${expected(rule.items)}`;
    case 'record':
      return `an object mapping each ${rule.keyName ?? 'key'} to ${expected(rule.values)}`;
    case 'object':
      return `an object (${rule.typeName})`;
  }
}

function withExample(text: string, example: string | undefined): string {
  return example === undefined ? text : `${text}, e.g. ${example}`;
}

function numberOk(value: unknown, rule: NumberRule): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (rule.integer && !Number.isInteger(value)) return false;
  if (rule.min !== undefined && (rule.exclusiveMin ? value <= rule.min : value < rule.min)) return false;
  if (rule.max !== undefined && (rule.exclusiveMax ? value >= rule.max : value > rule.max)) return false;
  return true;
}

function accepts(value: unknown, rule: Rule, path: string): boolean {
  try {
    validateOptions(value, rule, path);
    return true;
  } catch {
    return false;
  }
}

function safeTest(test: (value: unknown) => boolean, value: unknown): boolean {
  try {
    return test(value);
  } catch {
    return false;
  }
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RegExp);
}

/** `tools` + `search` → `tools.search`; keys that are not identifiers are quoted: `prices["gpt-4o"]`. */
function join(path: string, key: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path ? `${path}.${key}` : key;
}

function unknownKey(path: string, key: string, rule: ObjectRule, value: unknown): InvalidOptionsError {
  const known = Object.keys(rule.fields);
  const guess = didYouMean(key, known);
  const nested = guess === undefined ? placesOf(key, rule, path, 3) : [];
  const hint =
    guess !== undefined
      ? `; did you mean ${guess}?`
      : nested.length > 0
        ? `; it belongs in ${nested.join(' or ')}.`
        : '.';
  return new InvalidOptionsError(
    join(path, key),
    `is not an option of ${rule.typeName}${hint} Known options: ${known.join(', ') || 'none'}.`,
    value,
  );
}

/** Where `key` is an option further down, e.g. `requestsPerSecond` → `tools.<tool key>.requestsPerSecond`. */
function placesOf(key: string, rule: Rule, path: string, depth: number): string[] {
  if (depth === 0) return [];
  switch (rule.kind) {
    case 'object': {
      const here =
        Object.prototype.hasOwnProperty.call(rule.fields, key) && path !== '' ? [join(path, key)] : [];
      const below = Object.entries(rule.fields).flatMap(([name, field]) =>
        placesOf(key, field, join(path, name), depth - 1),
      );
      return [...here, ...below];
    }
    case 'record':
      return placesOf(key, rule.values, `${path}.<${rule.keyName ?? 'key'}>`, depth);
    default:
      return [];
  }
}
