import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresAdapter } from '@stowage/adapter-postgres';
import { redisAdapter } from '@stowage/adapter-redis';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { type Codec, createStorage, type StowageAdapter } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CODECS,
  dropRedisNamespace,
  POSTGRES_URL,
  postgresDump,
  REDIS_URL,
  redisDump,
  sqliteBytes,
  unique,
  withPostgres,
} from './codecs-support.js';

const dir = mkdtempSync(join(tmpdir(), 'stowage-codecs-at-rest-'));
const schemas: string[] = [];
const redisNamespaces: string[] = [];

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await withPostgres(async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
  for (const namespace of redisNamespaces) await dropRedisNamespace(namespace);
});

interface Backend {
  name: string;
  adapter(): StowageAdapter;
  /** Everything the backend holds for this run, read around the adapter. */
  dump(): Promise<string>;
}

function backends(): Backend[] {
  const path = join(dir, `${unique('rest')}.db`);
  const schema = unique('stowage_rest');
  schemas.push(schema);
  const namespace = unique('t_rest');
  redisNamespaces.push(namespace);
  return [
    {
      name: 'sqlite',
      adapter: () => sqliteAdapter({ path, sweepIntervalMs: 0 }),
      // The raw file bytes, WAL included: nothing the database ever wrote may hold plaintext.
      dump: async () => sqliteBytes(path).toString('latin1'),
    },
    {
      name: 'postgres',
      adapter: () => postgresAdapter({ connection: POSTGRES_URL, schema, sweepIntervalMs: 0 }),
      dump: () => postgresDump(schema),
    },
    {
      name: 'redis',
      adapter: () => redisAdapter({ url: REDIS_URL, namespace }),
      dump: () => redisDump(namespace),
    },
  ];
}

for (const [label, makeCodec] of Object.entries(CODECS)) {
  describe(`${label} values at rest`, () => {
    for (const backend of backends()) {
      it(`${backend.name}: no plaintext is stored, yet state, labels and times stay queryable`, async () => {
        const codec: Codec = makeCodec();
        const secret = unique('SECRETMARKER');
        const visible = unique('visiblelabel');
        const storage = createStorage(backend.adapter(), { codec });
        const long = `${secret} `.repeat(200);
        await storage.sessions.save(
          {
            id: 'chat-1',
            data: { note: secret, long },
            state: 'archived',
            labels: { tag: visible },
          },
          { ttl: '1h' },
        );
        await storage.sessions.save({
          id: 'chat-2',
          data: { note: 'other' },
          labels: { tag: 'x' },
        });
        await storage.messages.append('chat-1', [{ text: secret }, { text: long }]);
        await storage.kv.set('profile', { email: secret }, { ttl: '1h' });
        await storage.kv.increment('visits', 3);
        const queue = storage.queue<{ job: string }>('mail');
        await queue.enqueue({ job: secret }, { id: 'job-1' });

        const raw = await backend.dump();
        // The dump is real: filterable fields are there in clear.
        expect(raw).toContain(visible);
        expect(raw).toContain('archived');
        expect(raw).not.toContain(secret);
        expect(raw).toContain('enc:v1:now:');

        const page = await storage.sessions.list({ labels: { tag: visible }, state: 'archived' });
        expect(page.items.map((s) => s.id)).toEqual(['chat-1']);
        expect(page.items[0]?.data).toEqual({ note: secret, long });
        const created = page.items[0]?.createdAt ?? 0;
        expect(await storage.sessions.count({ updatedAfter: created - 1, state: 'archived' })).toBe(
          1,
        );
        expect(await storage.messages.range('chat-1')).toEqual([{ text: secret }, { text: long }]);
        expect(await storage.kv.get('profile')).toEqual({ email: secret });
        expect(await storage.kv.increment('visits', 1)).toBe(4);
        expect((await queue.dequeue())?.payload).toEqual({ job: secret });
        await storage.close();
      });
    }
  });
}
