import {
  createStorage,
  type ManualClock,
  manualClock,
  memoryAdapter,
  type Storage,
  type StowageAdapter,
} from '../src/index.js';

/** A memory adapter with a storage over it (for seeding and reading back) and a clock. */
export interface Side {
  adapter: StowageAdapter;
  storage: Storage;
}

/** Two memory backends sharing one manual clock. */
export function sides(): { clock: ManualClock; from: Side; to: Side; close(): Promise<void> } {
  const clock = manualClock(1_700_000_000_000);
  const make = (): Side => {
    const adapter = memoryAdapter();
    return { adapter, storage: createStorage({ adapter, clock }) };
  };
  const from = make();
  const to = make();
  return {
    clock,
    from,
    to,
    close: async () => {
      await from.storage.close();
      await to.storage.close();
    },
  };
}

/**
 * Writes `n` sessions (every third with messages, every fifth archived, some with a TTL),
 * moving the clock between writes so timestamps differ, plus kv values, counters and TTLs.
 */
export async function seed(storage: Storage, clock: ManualClock, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const id = `s-${String(i).padStart(4, '0')}`;
    await storage.sessions.save(
      {
        id,
        data: { i, text: `session ${i}` },
        state: i % 5 === 0 ? 'archived' : 'active',
        labels: { user: `u${i % 7}` },
      },
      i % 4 === 0 ? { ttl: '1h' } : {},
    );
    clock.advance(10);
    if (i % 3 === 0) {
      await storage.messages.append(
        id,
        Array.from({ length: (i % 9) + 1 }, (_, k) => ({ k, id })),
      );
      clock.advance(5);
    }
    if (i % 6 === 0) await storage.sessions.save({ id, data: { i, second: true } });
  }
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    await storage.kv.set(`k-${i}`, { i }, i % 3 === 0 ? { ttl: '2h' } : {});
  }
  await storage.kv.increment('counter', 41);
  await storage.kv.increment('counter', 1);
}
