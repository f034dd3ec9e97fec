import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresAdapter } from '@stowage/adapter-postgres';
import { redisAdapter } from '@stowage/adapter-redis';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { describeAdapterContract } from '@stowage/contract-tests/vitest';
import { routed } from '@stowage/core';
import { afterAll } from 'vitest';
import {
  dropRedisNamespace,
  POSTGRES_URL,
  REDIS_URL,
  unique,
  withPostgres,
} from './codecs-support.js';
import { partsInspector } from './compose-inspector.js';

// Sessions and messages in SQLite, kv and pub/sub in Redis, queues in PostgreSQL; the inspector
// reads SQLite and Redis through adapters of their own.
const dir = mkdtempSync(join(tmpdir(), 'stowage-routed-'));
const path = join(dir, 'sessions.db');
const namespace = unique('routed');
const schema = unique('stowage_routed');
const redisNamespace = unique('t_routed');

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await withPostgres((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  await dropRedisNamespace(redisNamespace);
});

describeAdapterContract({
  name: 'routed(sqlite sessions, redis kv and pubsub, postgres queues)',
  create: () => {
    const redis = redisAdapter({ url: REDIS_URL, namespace: redisNamespace });
    return routed({
      sessions: sqliteAdapter({ path, namespace, sweepIntervalMs: 0 }),
      kv: redis,
      pubsub: redis,
      queues: postgresAdapter({ connection: POSTGRES_URL, schema, sweepIntervalMs: 0 }),
    });
  },
  inspect: () =>
    partsInspector({
      sessions: sqliteAdapter({ path, namespace, sweepIntervalMs: 0 }),
      kv: redisAdapter({ url: REDIS_URL, namespace: redisNamespace }),
    }),
});
