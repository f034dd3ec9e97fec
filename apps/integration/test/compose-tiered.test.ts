import { postgresAdapter } from '@stowage/adapter-postgres';
import { redisAdapter } from '@stowage/adapter-redis';
import { describeAdapterContract } from '@stowage/contract-tests/vitest';
import { tiered } from '@stowage/core';
import { afterAll } from 'vitest';
import {
  dropRedisNamespace,
  POSTGRES_URL,
  postgresInspector,
  REDIS_URL,
  unique,
  withPostgres,
} from './codecs-support.js';

// Redis in front of PostgreSQL, as in production: every instance the suite builds shares the
// cache namespace and the store schema, so cross-instance cases exercise invalidation.
const schema = unique('stowage_tiered');
const cacheNamespace = unique('t_tiered');

afterAll(async () => {
  await withPostgres((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  await dropRedisNamespace(cacheNamespace);
});

describeAdapterContract({
  name: 'tiered(redis cache, postgres store)',
  create: () =>
    tiered({
      cache: redisAdapter({ url: REDIS_URL, namespace: cacheNamespace }),
      store: postgresAdapter({ connection: POSTGRES_URL, schema, sweepIntervalMs: 0 }),
      ttl: '1m',
    }),
  inspect: () => postgresInspector(schema),
});
