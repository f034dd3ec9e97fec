import { ValidationError } from '../errors.js';
import { assertStorableString } from '../json.js';
import type { KvWrite, StoredSession } from '../types.js';
import { validateId, validateLabels, validateState } from '../validate.js';

function timestamp(value: unknown, what: string, nullable: boolean): void {
  if (nullable && value === null) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(
      `${what} must be ${nullable ? 'null or ' : ''}a non-negative integer of epoch milliseconds`,
    );
  }
}

function jsonText(value: unknown, what: string): void {
  if (typeof value !== 'string') throw new ValidationError(`${what} must be JSON text`);
  assertStorableString(value, what);
  try {
    JSON.parse(value);
  } catch (error) {
    throw new ValidationError(`${what} is not valid JSON text`, { cause: error });
  }
}

/**
 * Checks sessions handed to `SessionDriver.restore` before any I/O: legal ids (each once),
 * encoded data that is JSON text, a valid state and labels, a positive integer version and
 * integer epoch-millisecond timestamps. Adapters call it so bad input is the same
 * `ValidationError` everywhere.
 */
export function validateStoredSessions(sessions: readonly StoredSession[]): void {
  if (!Array.isArray(sessions)) throw new ValidationError('restore takes an array of sessions');
  const seen = new Set<string>();
  for (const [i, s] of sessions.entries()) {
    if (typeof s !== 'object' || s === null) {
      throw new ValidationError(`sessions[${i}] must be a stored session object`);
    }
    const id = validateId(s.id, `sessions[${i}].id`);
    if (seen.has(id)) throw new ValidationError(`restore got session ${JSON.stringify(id)} twice`);
    seen.add(id);
    jsonText(s.data, `data of session ${JSON.stringify(id)}`);
    validateState(s.state);
    validateLabels(s.labels);
    if (typeof s.version !== 'number' || !Number.isSafeInteger(s.version) || s.version < 1) {
      throw new ValidationError(`version of session ${JSON.stringify(id)} must be an integer >= 1`);
    }
    timestamp(s.createdAt, `createdAt of session ${JSON.stringify(id)}`, false);
    timestamp(s.updatedAt, `updatedAt of session ${JSON.stringify(id)}`, false);
    timestamp(s.expiresAt, `expiresAt of session ${JSON.stringify(id)}`, true);
    timestamp(s.maxExpiresAt, `maxExpiresAt of session ${JSON.stringify(id)}`, true);
  }
}

/** Checks one kv entry read from an export before it is written: key, JSON text, expiry. */
export function validateKvEntry(entry: KvWrite): void {
  if (typeof entry !== 'object' || entry === null) {
    throw new ValidationError('a kv entry must be an object');
  }
  const key = validateId(entry.key, 'kv key');
  jsonText(entry.value, `value of kv entry ${JSON.stringify(key)}`);
  timestamp(entry.expiresAt, `expiresAt of kv entry ${JSON.stringify(key)}`, true);
}

/** Checks a chunk of encoded messages from an export: JSON texts at a non-negative offset. */
export function validateMessageTexts(items: unknown, offset: unknown, id: string): void {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new ValidationError(`messages of ${JSON.stringify(id)} need a non-negative offset`);
  }
  if (!Array.isArray(items)) {
    throw new ValidationError(`messages of ${JSON.stringify(id)} must be an array of JSON texts`);
  }
  for (const item of items) jsonText(item, `a message of session ${JSON.stringify(id)}`);
}
