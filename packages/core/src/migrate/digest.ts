import { createHash, type Hash } from 'node:crypto';
import type { KvWrite, StoredSession } from '../types.js';

/**
 * JSON text in one canonical form (object keys sorted, whitespace and number spelling
 * normalised), so a copy compares equal whether the backend kept the text byte for byte or
 * re-serialised it (PostgreSQL's JSONB does).
 */
export function canonicalJson(text: string): string {
  return stable(JSON.parse(text) as unknown);
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stable(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Starts the digest of one session: every stored field, labels in key order. */
export function sessionHash(s: StoredSession): Hash {
  const labels = Object.keys(s.labels)
    .sort()
    .map((name) => [name, s.labels[name]]);
  const head = [
    s.id,
    canonicalJson(s.data),
    s.state,
    labels,
    s.version,
    s.createdAt,
    s.updatedAt,
    s.expiresAt,
    s.maxExpiresAt,
  ];
  return createHash('sha256').update(JSON.stringify(head));
}

/** Adds messages to a session digest, each one framed so boundaries count. */
export function addMessages(hash: Hash, messages: readonly string[]): void {
  for (const m of messages) hash.update(`\n${canonicalJson(m)}`);
}

/** The digest of one kv entry. */
export function kvDigest(entry: KvWrite): string {
  return createHash('sha256')
    .update(JSON.stringify([entry.key, canonicalJson(entry.value), entry.expiresAt]))
    .digest('hex');
}
