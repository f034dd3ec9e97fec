import { postgresAdapter } from '@stowage/adapter-postgres';
import { createStorage, memoryAdapter, type Storage, tiered } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, unique, withPostgres } from './codecs-support.js';

// Two app instances, each with its own in-process cache over one PostgreSQL store: only the
// invalidation channel (LISTEN/NOTIFY on the store) keeps their copies fresh.
const schema = unique('stowage_tiered_inv');
const storages: Storage[] = [];

afterAll(async () => {
  await Promise.all(storages.map((s) => s.close()));
  await withPostgres((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
});

function instance(channel?: false): Storage {
  const adapter = tiered({
    cache: memoryAdapter(),
    store: postgresAdapter({ connection: POSTGRES_URL, schema, sweepIntervalMs: 0 }),
    ttl: '10m',
    channel,
  });
  const storage = createStorage(adapter);
  storages.push(storage);
  return storage;
}

/** Polls until `check` holds (every 20 ms, bounded). */
async function poll(check: () => Promise<boolean>, tries = 250): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not reached');
}

describe('tiered(memory, postgres) across instances', () => {
  it('drops a copy in one instance when another writes', async () => {
    const a = instance();
    const b = instance();
    await a.sessions.save({ id: 'chat', data: { turns: 1 } });
    expect((await a.sessions.get('chat'))?.version).toBe(1);
    await b.sessions.save({ id: 'chat', data: { turns: 2 } });
    await poll(async () => (await a.sessions.get('chat'))?.version === 2);
    await b.messages.append('chat', ['hello']);
    const appended = (await b.sessions.get('chat'))?.updatedAt;
    await poll(async () => (await a.sessions.get('chat'))?.updatedAt === appended);
    await b.sessions.deleteWhere({ state: 'active' });
    await poll(async () => (await a.sessions.get('chat')) === null);
  });

  it('keeps serving a stale copy without the channel, and says so in its capabilities', async () => {
    const a = instance(false);
    const b = instance(false);
    expect(await a.capabilities()).toMatchObject({ multiProcess: false });
    expect(await instance().capabilities()).toMatchObject({ multiProcess: true });
    await a.sessions.save({ id: 'stale', data: 1 });
    await a.sessions.get('stale');
    await b.sessions.save({ id: 'stale', data: 2 });
    // A round trip through the store shows B's write is visible there...
    expect((await b.sessions.get('stale'))?.data).toBe(2);
    // ...while A still has its own copy.
    expect((await a.sessions.get('stale'))?.data).toBe(1);
  });
});
