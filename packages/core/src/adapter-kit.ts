import { ConflictError, ValidationError } from './errors.js';
import type {
  AdapterSessionFilter,
  ListPosition,
  SessionFingerprint,
  SessionWrite,
  StoredSession,
} from './types.js';

/** Whether an item with this expiry is expired at `now` (expiry is exclusive: at `expiresAt` it is gone). */
export function isExpired(expiresAt: number | null, now: number): boolean {
  return expiresAt !== null && expiresAt <= now;
}

/** The effective expiry: `expiresAt`, but never later than `maxExpiresAt`. */
export function clampExpiry(expiresAt: number | null, maxExpiresAt: number | null): number | null {
  if (maxExpiresAt === null) return expiresAt;
  return expiresAt === null || expiresAt > maxExpiresAt ? maxExpiresAt : expiresAt;
}

/**
 * The expiry a session write stores, given the live session it replaces (if any): the
 * requested expiry, or the stored one when the write leaves it out, clamped to the session's
 * `maxExpiresAt` (the stored one for an existing session).
 */
export function resolveExpiry(
  write: Pick<SessionWrite, 'expiresAt' | 'maxExpiresAt'>,
  current: Pick<StoredSession, 'expiresAt' | 'maxExpiresAt'> | null | undefined,
): { expiresAt: number | null; maxExpiresAt: number | null } {
  const maxExpiresAt = current ? current.maxExpiresAt : write.maxExpiresAt;
  const requested = write.expiresAt === undefined ? (current?.expiresAt ?? null) : write.expiresAt;
  return { expiresAt: clampExpiry(requested, maxExpiresAt), maxExpiresAt };
}

/**
 * Whether a stored session with `messageCount` messages still has the fingerprint `expected`,
 * for adapters that implement `deleteIfUnchanged` in JavaScript under their own lock.
 */
export function matchesFingerprint(
  session: Pick<StoredSession, 'version' | 'createdAt' | 'updatedAt' | 'expiresAt'>,
  messageCount: number,
  expected: SessionFingerprint,
): boolean {
  return (
    session.version === expected.version &&
    session.createdAt === expected.createdAt &&
    session.updatedAt === expected.updatedAt &&
    session.expiresAt === expected.expiresAt &&
    messageCount === expected.messageCount
  );
}

/** Whether a session matches a filter (states, labels, updatedAt bounds). Expiry is not checked. */
export function matchesFilter(session: StoredSession, filter: AdapterSessionFilter): boolean {
  if (filter.states && !filter.states.includes(session.state)) return false;
  if (filter.updatedAfter !== undefined && !(session.updatedAt > filter.updatedAfter)) return false;
  if (filter.updatedBefore !== undefined && !(session.updatedAt < filter.updatedBefore))
    return false;
  if (filter.labels) {
    for (const [name, value] of Object.entries(filter.labels)) {
      if (session.labels[name] !== value) return false;
    }
  }
  return true;
}

/**
 * Compares ids or keys in Unicode code-point order, which is the order of their UTF-8 bytes:
 * what SQL binary collations, Redis and file names give. It differs from JavaScript's default
 * (UTF-16 code-unit) order only between astral characters (emoji) and U+E000–U+FFFF.
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–U+DFFF) encode code points above U+FFFF: move them past U+E000–U+FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** Compares listing positions by `createdAt`, then `id` in code-point order (`compareIds`). */
export function compareListPosition(a: ListPosition, b: ListPosition): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return compareIds(a.id, b.id);
}

/**
 * Turns `LRANGE`-style inclusive indexes (negative counts from the end) into a `[from, to)`
 * slice of a list of `length` items; `from >= to` means empty.
 */
export function sliceRange(length: number, start: number, end: number): [number, number] {
  const from = Math.max(0, start < 0 ? length + start : start);
  const to = Math.min(length, (end < 0 ? length + end : end) + 1);
  return [from, Math.max(from, to)];
}

const COUNTER = /^-?\d{1,16}$/;

/** Whether stored kv text is a bare integer written by `increment` (counters skip the codec). */
export function isCounterText(stored: string): boolean {
  return COUNTER.test(stored);
}

/** Reads a stored kv value as a counter, or throws `ValidationError` when it is not an integer. */
export function parseCounter(stored: string, key: string): number {
  const value = COUNTER.test(stored) ? Number(stored) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new ValidationError(
      `kv entry ${JSON.stringify(key)} does not hold an integer; increment refused`,
    );
  }
  return value;
}

/**
 * The smallest string greater (in code-point order) than every string that starts with
 * `prefix`, or `undefined` when there is none. `key >= prefix AND key < bound` is then an exact,
 * index-friendly prefix match in any backend that compares text by UTF-8 bytes (SQLite's
 * BINARY collation, PostgreSQL's "C" collation), with no LIKE wildcards to escape.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0) as number);
  while (points.length > 0) {
    const last = points.pop() as number;
    if (last < 0x10ffff) {
      // Skip the surrogate block: U+D800–U+DFFF are not characters.
      points.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return undefined;
}

/**
 * Enforces a write's optimistic-concurrency condition: with `expected` set, the live version
 * found (0 when there is no live session) must equal it, or the call fails with `ConflictError`.
 */
export function assertVersion(
  id: string,
  expected: number | undefined,
  found: number,
  adapter: string,
): void {
  if (expected !== undefined && expected !== found) {
    throw new ConflictError(id, expected, found, { adapter });
  }
}

/**
 * The session a write stores over the live session it replaces (or none): version + 1,
 * `createdAt` kept, `updatedAt = now`, expiry from `resolveExpiry`. The version check is the
 * caller's (`assertVersion`), done atomically with storing the result.
 */
export function nextSession(
  write: SessionWrite,
  current: StoredSession | null | undefined,
  now: number,
): StoredSession {
  return {
    id: write.id,
    data: write.data,
    state: write.state,
    labels: { ...write.labels },
    version: (current?.version ?? 0) + 1,
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
    ...resolveExpiry(write, current),
  };
}
