import type { MigrationRecord, StowageAdapter } from '@stowage/core';
import { exportRecords } from '@stowage/core';

/**
 * Generated content for migration tests: `n` sessions with varied states, labels, versions
 * and expiry (every 4th expires in an hour), every 3rd with `(i % 5) + 1` messages, and n/2 kv
 * entries (some with expiry) plus a counter. Timestamps are recent, so nothing is expired.
 */
export function* generated(n: number, now = Date.now()): Generator<MigrationRecord> {
  for (let i = 0; i < n; i++) {
    const id = `conv/${String(i).padStart(6, '0')}`;
    const createdAt = now - 600_000 + i * 3;
    yield {
      kind: 'session',
      session: {
        id,
        data: JSON.stringify({ topic: `t${i}`, nested: { list: [i, 'x'], ok: i % 2 === 0 } }),
        state: ['active', 'archived', 'closed'][i % 3] as string,
        labels: { userId: `u${i % 11}`, tier: i % 2 ? 'free' : 'pro' },
        version: 1 + (i % 9),
        createdAt,
        updatedAt: createdAt + 1000 + (i % 7),
        expiresAt: i % 4 === 0 ? now + 3_600_000 : null,
        maxExpiresAt: i % 8 === 0 ? now + 7_200_000 : null,
      },
    };
    if (i % 3 === 0) {
      const items = Array.from({ length: (i % 5) + 1 }, (_, k) =>
        JSON.stringify({ role: k % 2 ? 'assistant' : 'user', text: `message ${k} of ${i}` }),
      );
      yield { kind: 'messages', id, offset: 0, items };
    }
  }
  for (let i = 0; i < n / 2; i++) {
    yield {
      kind: 'kv',
      entry: {
        key: `cache:${i}`,
        value: JSON.stringify({ i }),
        expiresAt: i % 3 === 0 ? now + 3_600_000 : null,
      },
    };
  }
  yield { kind: 'kv', entry: { key: 'counter:visits', value: '42', expiresAt: null } };
}

/** Totals over everything an adapter holds, read with `exportRecords`. */
export async function totals(
  adapter: StowageAdapter,
): Promise<{ sessions: number; messages: number; kv: number }> {
  const t = { sessions: 0, messages: 0, kv: 0 };
  for await (const r of exportRecords(adapter)) {
    if (r.kind === 'session') t.sessions++;
    else if (r.kind === 'messages') t.messages += r.items.length;
    else t.kv++;
  }
  return t;
}
