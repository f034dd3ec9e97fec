import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { type Codec, createStorage, manualClock, type StowageAdapter } from '@stowage/core';

/** What `seed` wrote. */
export interface Seeded {
  sessions: number;
  messages: number;
  kv: number;
}

/** Options of `seed`. */
export interface SeedOptions {
  /** Every fourth session gets a TTL that has already passed (default false: 2 hours). */
  expired?: boolean;
  /** Kv entries written with a TTL that has already passed, besides the live ones (default 0). */
  expiredKv?: number;
  codec?: Codec;
}

/**
 * Writes `n` sessions (every third with messages, every fifth archived, every fourth with a
 * TTL that has already passed when `expired` is set) and n/2 kv entries plus a counter,
 * through a storage over `adapter`. The clock starts an hour ago so "expired" items are
 * expired in real time.
 */
export async function seed(
  adapter: StowageAdapter,
  n: number,
  { expired = false, expiredKv = 0, codec }: SeedOptions = {},
): Promise<Seeded> {
  const clock = manualClock(Date.now() - 3_600_000);
  const storage = createStorage({ adapter, clock, ...(codec ? { codec } : {}) });
  let messages = 0;
  for (let i = 0; i < n; i++) {
    const id = `s-${String(i).padStart(5, '0')}`;
    const ttl = i % 4 === 0 ? (expired ? '1m' : '2h') : undefined;
    await storage.sessions.save(
      {
        id,
        data: { i, text: `hello ${i}` },
        state: i % 5 === 0 ? 'archived' : 'active',
        labels: { user: `u${i % 3}` },
      },
      ttl ? { ttl } : {},
    );
    clock.advance(7);
    if (i % 3 === 0) {
      const batch = Array.from({ length: (i % 4) + 1 }, (_, k) => ({ role: 'user', k }));
      await storage.messages.append(id, batch);
      messages += batch.length;
    }
  }
  const kv = Math.ceil(n / 2);
  for (let i = 0; i < kv; i++) await storage.kv.set(`k-${i}`, { i });
  for (let i = 0; i < expiredKv; i++) await storage.kv.set(`gone-${i}`, { i }, { ttl: '1m' });
  await storage.kv.increment('visits', 5);
  await storage.close();
  return { sessions: n, messages, kv: kv + 1 };
}

/** Seeds a SQLite file. */
export function seedSqlite(path: string, n: number, options?: SeedOptions): Promise<Seeded> {
  return seed(sqliteAdapter({ path }), n, options);
}
