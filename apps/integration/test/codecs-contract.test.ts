import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresAdapter } from '@stowage/adapter-postgres';
import { redisAdapter } from '@stowage/adapter-redis';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { describeAdapterContract } from '@stowage/contract-tests/vitest';
import { afterAll } from 'vitest';
import {
  CODECS,
  dropRedisNamespace,
  POSTGRES_URL,
  postgresInspector,
  prepare,
  REDIS_URL,
  sqliteInspector,
  unique,
  withPostgres,
} from './codecs-support.js';

// The whole adapter contract, with values encrypted (and compressed) at rest: codecs must be
// invisible to every promise the suite checks.
const dir = mkdtempSync(join(tmpdir(), 'stowage-codecs-contract-'));
const schemas: string[] = [];
const redisNamespaces: string[] = [];
const exclude = [
  // Makes a counter with kv.set(key, 5) and then increments it. Under a codec, kv.set stores an
  // encoded value, so only counters created by increment stay bare integers (documented).
  'restore/getEntries returns live kv entries with their expiry, in key order asked',
];

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await withPostgres(async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
  for (const namespace of redisNamespaces) await dropRedisNamespace(namespace);
});

for (const [label, codec] of Object.entries(CODECS)) {
  const path = join(dir, `${label}.db`);
  const namespace = unique('codec');
  describeAdapterContract({
    name: `sqlite with ${label}`,
    create: () => sqliteAdapter({ path, namespace, sweepIntervalMs: 0 }),
    inspect: async () => {
      await prepare(sqliteAdapter({ path, namespace, sweepIntervalMs: 0 }));
      return sqliteInspector(path, namespace);
    },
    storageOptions: { codec: codec() },
    exclude,
  });

  const schema = unique('stowage_codec');
  schemas.push(schema);
  describeAdapterContract({
    name: `postgres with ${label}`,
    create: () => postgresAdapter({ connection: POSTGRES_URL, schema, sweepIntervalMs: 0 }),
    inspect: () => postgresInspector(schema),
    storageOptions: { codec: codec() },
    exclude,
  });

  const redisNamespace = unique('t_codec');
  redisNamespaces.push(redisNamespace);
  describeAdapterContract({
    name: `redis with ${label}`,
    create: () => redisAdapter({ url: REDIS_URL, namespace: redisNamespace }),
    storageOptions: { codec: codec() },
    exclude,
  });
}
