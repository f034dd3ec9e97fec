import { ConfigError, StowageError, ValidationError } from './errors.js';
import type { Labels, Ttl } from './types.js';

/** Longest legal id or key, in UTF-8 bytes. */
export const MAX_ID_BYTES = 512;
/** Longest legal state, in UTF-8 bytes. */
export const MAX_STATE_BYTES = 128;
/** Most labels one session may carry. */
export const MAX_LABELS = 64;
/** Longest label name or value, in UTF-8 bytes. */
export const MAX_LABEL_BYTES = 256;
/** Longest TTL accepted: about 31,000 years, far from Number's safe-integer limit. */
export const MAX_TTL_MS = 1e15;

// C0 and C1 control characters, DEL, and unpaired surrogates (which have no UTF-8 form).
const ILLEGAL_IN_ID =
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkText(value: unknown, what: string, maxBytes: number, allowEmpty: boolean): string {
  if (typeof value !== 'string') {
    throw new ValidationError(
      `${what} must be a string, got ${value === null ? 'null' : typeof value}`,
    );
  }
  if (value.length === 0) {
    if (allowEmpty) return value;
    throw new ValidationError(`${what} must not be empty`);
  }
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short strings skip the byte count.
  if (value.length * 3 > maxBytes && Buffer.byteLength(value, 'utf8') > maxBytes) {
    throw new ValidationError(`${what} is longer than ${maxBytes} UTF-8 bytes`);
  }
  if (ILLEGAL_IN_ID.test(value)) {
    throw new ValidationError(
      `${what} ${JSON.stringify(value)} contains a control character or an unpaired surrogate`,
    );
  }
  return value;
}

/** Whether `value` is a string `checkText` accepts as a label value, checked without allocating. */
function isShortCleanText(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    (value.length * 3 <= MAX_LABEL_BYTES || Buffer.byteLength(value, 'utf8') <= MAX_LABEL_BYTES) &&
    !ILLEGAL_IN_ID.test(value)
  );
}

/**
 * Checks a session id or kv key: a non-empty string of at most 512 UTF-8 bytes without control
 * characters. Everything else (`../x`, `*`, `a:b`, quotes, emoji) is legal and stored literally.
 */
export function validateId(value: unknown, what = 'id'): string {
  return checkText(value, what, MAX_ID_BYTES, false);
}

/** Checks a list of ids, refusing duplicates when `unique` is set. */
export function validateIds(values: unknown, what: string, unique: boolean): string[] {
  if (!Array.isArray(values)) throw new ValidationError(`${what} must be an array`);
  const seen = new Set<string>();
  return values.map((value, index) => {
    const id = validateId(value, `${what}[${index}]`);
    if (unique) {
      if (seen.has(id)) throw new ValidationError(`${what} contains ${JSON.stringify(id)} twice`);
      seen.add(id);
    }
    return id;
  });
}

/** Checks a session state: a non-empty short string without control characters. */
export function validateState(value: unknown): string {
  return checkText(value, 'state', MAX_STATE_BYTES, false);
}

/** Checks labels: a plain object of at most 64 string→string entries. Returns a frozen copy. */
export function validateLabels(value: unknown): Labels {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('labels must be an object of string values');
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_LABELS) {
    throw new ValidationError(`labels may have at most ${MAX_LABELS} entries`);
  }
  const labels: Labels = {};
  for (const [name, labelValue] of entries) {
    checkText(name, 'label name', MAX_LABEL_BYTES, false);
    // Name the label in the error only when there is one: building the text costs every call.
    if (!isShortCleanText(labelValue)) {
      checkText(labelValue, `label ${JSON.stringify(name)}`, MAX_LABEL_BYTES, true);
    }
    if (name === '__proto__') {
      // A plain assignment to `__proto__` would hit the prototype setter and drop the label.
      Object.defineProperty(labels, name, {
        value: labelValue,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      labels[name] = labelValue as string;
    }
  }
  return labels;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;

/**
 * Parses a TTL into whole milliseconds (rounded up). Accepts a positive finite number of
 * milliseconds or a string like `'250ms'`, `'30s'`, `'30m'`, `'12h'`, `'7d'`, `'2w'`. Zero,
 * negative, NaN, infinite and malformed values are a `ValidationError`.
 */
export function parseTtl(value: Ttl, what = 'ttl'): number {
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else if (typeof value === 'string') {
    const match = DURATION.exec(value.trim());
    if (!match) {
      throw new ValidationError(
        `${what} ${JSON.stringify(value)} is not a duration; use milliseconds or e.g. '30s', '30m', '12h', '7d'`,
      );
    }
    ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  } else {
    throw new ValidationError(`${what} must be a number of milliseconds or a duration string`);
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new ValidationError(`${what} must be a positive finite duration, got ${String(value)}`);
  }
  if (ms > MAX_TTL_MS) throw new ValidationError(`${what} must be at most ${MAX_TTL_MS} ms`);
  return Math.ceil(ms);
}

/**
 * Parses a duration option like `parseTtl`, but a bad value is a `ConfigError` whose message
 * starts with `context` (what was being configured), since options are not call arguments.
 */
export function durationOption(value: Ttl, what: string, context: string): number {
  try {
    return parseTtl(value, what);
  } catch (error) {
    if (!(error instanceof StowageError)) throw error;
    throw new ConfigError(`${context}: ${error.message}`, { cause: error });
  }
}

/** Checks a non-negative integer argument such as `keepLast`, or a signed one when allowed. */
export function validateInteger(
  value: unknown,
  what: string,
  { min, max }: { min: number; max: number },
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ValidationError(
      `${what} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}
