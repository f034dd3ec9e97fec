import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresAdapter } from '@stowage/adapter-postgres';
import { redisAdapter } from '@stowage/adapter-redis';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { describeAdapterContract } from '@stowage/contract-tests/vitest';
import {
  type ArchivedAdapter,
  archive,
  createStorage,
  manualClock,
  type StowageAdapter,
} from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dropRedisNamespace,
  POSTGRES_URL,
  REDIS_URL,
  unique,
  withPostgres,
} from './codecs-support.js';

// Active sessions in SQLite (or Redis), idle ones in PostgreSQL.
const dir = mkdtempSync(join(tmpdir(), 'stowage-archive-'));
const path = join(dir, 'hot.db');
const namespace = unique('archive');
const schema = unique('stowage_archive');
const redisNamespace = unique('archive');
const hotSqlite = () => sqliteAdapter({ path, namespace, sweepIntervalMs: 0 });
const cold = (): StowageAdapter =>
  postgresAdapter({ connection: POSTGRES_URL, schema, sweepIntervalMs: 0 });

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await withPostgres((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  await dropRedisNamespace(redisNamespace);
});

describeAdapterContract({
  name: 'archive(sqlite, postgres)',
  create: () => archive({ hot: hotSqlite(), cold: cold(), idleFor: '1d' }),
});

describe('archive(sqlite, postgres) with real backends', () => {
  it('loses no append racing moves run by two instances at once', async () => {
    const clock = manualClock(Date.now());
    const instances: ArchivedAdapter[] = [0, 1].map(() =>
      archive({ hot: hotSqlite(), cold: cold(), idleFor: '1h' }),
    );
    const storages = instances.map((adapter) => createStorage({ adapter, clock }));
    const [a, b] = storages as [(typeof storages)[0], (typeof storages)[0]];
    await Promise.all(storages.map((s) => s.health()));
    const tag = unique('race');
    const ids = Array.from({ length: 30 }, (_, i) => `${tag}-${i}`);
    const sent = new Map<string, string[]>();
    for (const id of ids) {
      await a.sessions.save({ id, data: { id }, labels: { tag } });
      await a.messages.append(id, ['seed']);
      sent.set(id, ['seed']);
    }
    clock.advance(3_600_001);
    let running = true;
    // Appenders hammer every session while both instances archive them.
    const appenders = ids.map(async (id, i) => {
      for (let k = 0; running && k < 20; k++) {
        await new Promise((resolve) => setTimeout(resolve, (i * 7 + k * 13) % 11));
        const message = `${id}-${k}`;
        await (k % 2 === 0 ? a : b).messages.append(id, [message]);
        sent.get(id)?.push(message);
      }
    });
    const reports = await Promise.all([
      instances[0]?.archiveIdle({ limit: 1000 }),
      instances[1]?.archiveIdle({ limit: 1000 }),
    ]);
    running = false;
    await Promise.all(appenders);
    expect(reports.every((r) => r?.failed === 0)).toBe(true);
    clock.advance(3_600_001);
    await instances[0]?.archiveIdle({ limit: 1000 });
    for (const id of ids) {
      expect(await b.messages.range(id), id).toEqual(sent.get(id));
    }
    expect(await a.sessions.count({ labels: { tag } })).toBe(ids.length);
    const listed = [];
    for await (const s of a.sessions.iterate({ labels: { tag }, limit: 7 })) listed.push(s.id);
    expect(listed.sort()).toEqual([...ids].sort());
    // Everything idle is in the cold tier now.
    const hotOnly = createStorage({ adapter: hotSqlite(), clock });
    expect(await hotOnly.sessions.count({ labels: { tag } })).toBe(0);
    await hotOnly.close();
    await Promise.all(storages.map((s) => s.close()));
  });

  it('moves from Redis to PostgreSQL and serves reads and writes from the cold tier', async () => {
    const clock = manualClock(Date.now());
    const adapter = archive({
      hot: redisAdapter({ url: REDIS_URL, namespace: redisNamespace }),
      cold: cold(),
      idleFor: '1h',
    });
    const storage = createStorage({ adapter, clock });
    const id = unique('redis-hot');
    await storage.sessions.save({ id, data: { n: 1 }, labels: { via: 'redis' } }, { ttl: '1d' });
    await storage.messages.append(id, ['a', 'b']);
    const before = await storage.sessions.get(id);
    clock.advance(3_600_001);
    expect((await adapter.archiveIdle()).moved).toBeGreaterThanOrEqual(1);
    expect(await storage.sessions.get(id)).toEqual(before);
    expect(await storage.messages.append(id, ['c'])).toBe(3);
    expect(await storage.messages.range(id)).toEqual(['a', 'b', 'c']);
    const saved = await storage.sessions.save({ id, data: { n: 2 } }, { expectedVersion: 1 });
    expect(saved.version).toBe(2);
    const pgOnly = createStorage({ adapter: cold(), clock });
    expect((await pgOnly.sessions.get(id))?.version).toBe(2);
    await pgOnly.close();
    await storage.close();
  });
});
