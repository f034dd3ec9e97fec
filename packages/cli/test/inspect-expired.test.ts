import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileAdapter } from '@stowage/adapter-file';
import { postgresAdapter } from '@stowage/adapter-postgres';
import { redisAdapter } from '@stowage/adapter-redis';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import type { StowageAdapter } from '@stowage/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type ExpiredReport, expiredLine, type InspectReport } from '../src/commands/inspect.js';
import { dropSchemas, PG_URL, uniqueSchema } from './postgres.js';
import { dropNamespaces, REDIS_URL, uniqueNamespace } from './redis.js';
import { runBin } from './run-bin.js';
import { seed } from './seed.js';

const dir = mkdtempSync(join(tmpdir(), 'stowage-cli-expired-'));
const schema = uniqueSchema('cli_expired');
const namespace = uniqueNamespace('cli_expired');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchemas(schema);
  await dropNamespaces(namespace);
});

interface Backend {
  name: string;
  adapter: () => StowageAdapter;
  args: string[];
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    adapter: () => sqliteAdapter({ path: join(dir, 'expired.db') }),
    args: [`sqlite:${join(dir, 'expired.db')}`],
  },
  {
    name: 'file',
    adapter: () => fileAdapter({ dir: join(dir, 'files') }),
    args: [`file:${join(dir, 'files')}`],
  },
  {
    name: 'postgres',
    adapter: () => postgresAdapter({ connection: PG_URL, schema }),
    args: [PG_URL, '--schema', schema],
  },
  {
    name: 'redis',
    adapter: () => redisAdapter({ url: REDIS_URL, namespace }),
    args: [REDIS_URL, '--namespace', namespace],
  },
];

async function inspect(args: string[]): Promise<InspectReport> {
  const r = await runBin(['inspect', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as InspectReport;
}

describe('stowage inspect: expired items waiting for the sweeper', () => {
  for (const backend of backends) {
    it(`${backend.name}: counts them apart from live ones, and sweep clears them`, async () => {
      // 20 sessions, every fourth (5) already expired; 3 expired kv entries beside 11 live ones.
      await seed(backend.adapter(), 20, { expired: true, expiredKv: 3 });
      const before = await inspect(backend.args);
      expect(before.sessions.total).toBe(15);
      expect(before.kv.total).toBe(11);
      expect(before.expired).toMatchObject({ sessions: 5, kv: 3 });
      if (backend.name === 'redis') {
        // Redis drops the keys of expired items by itself after the adapter's margin.
        expect(before.expired.serverExpiryAfterMs).toBe(600_000);
      } else {
        expect(before.expired).not.toHaveProperty('serverExpiryAfterMs');
      }
      const text = await runBin(['inspect', ...backend.args]);
      // On Redis the first inspect's own scan already purged the expired items it met.
      expect(text.stdout).toMatch(
        backend.name === 'redis'
          ? /^expired +\d+ sessions, \d+ kv entries not swept yet \(the server also drops/m
          : /^expired +5 sessions, 3 kv entries not swept yet$/m,
      );

      const sweep = await runBin(['sweep', ...backend.args, '--json']);
      expect(sweep.code, sweep.stderr).toBe(0);
      const after = await inspect(backend.args);
      expect(after.expired).toMatchObject({ sessions: 0, kv: 0 });
      expect(after.sessions.total).toBe(15);
    });
  }

  it('redis: counts an expired session whose keys the server already dropped, until a sweep', async () => {
    const ns = uniqueNamespace('cli_reclaimed');
    try {
      await seed(redisAdapter({ url: REDIS_URL, namespace: ns }), 4, { expired: true });
      // What Redis does by itself once the margin has passed, without waiting 10 minutes.
      const raw = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const [member] = await raw.zrange(`{${ns}}:ix:x`, '0', '0');
      await raw.del(`{${ns}}:s:${member}`);
      raw.disconnect();
      const before = await inspect([REDIS_URL, '--namespace', ns]);
      expect(before.expired.sessions).toBe(1);
      expect((await runBin(['sweep', REDIS_URL, '--namespace', ns])).code).toBe(0);
      expect((await inspect([REDIS_URL, '--namespace', ns])).expired.sessions).toBe(0);
    } finally {
      await dropNamespaces(ns);
    }
  });

  it('memory: reports zero, not unknown', async () => {
    expect((await inspect(['memory:'])).expired).toEqual({ sessions: 0, kv: 0 });
  });

  it('says unknown, not 0, for an adapter that cannot count them', () => {
    const unknown: ExpiredReport = { sessions: null, kv: null };
    expect(expiredLine('custom', unknown)).toBe(
      'expired   unknown (the custom adapter cannot count expired items)',
    );
    expect(expiredLine('custom', { sessions: 2, kv: null })).toBe(
      'expired   2 sessions, unknown kv entries not swept yet',
    );
  });
});
