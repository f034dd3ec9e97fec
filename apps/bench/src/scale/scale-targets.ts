import { join } from 'node:path';
import { postgresAdapter } from '@stowage/adapter-postgres';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import type { StowageAdapter } from '@stowage/core';
import type { BenchEnv } from '../env.js';
import type { Backend } from '../types.js';
import { postgresBulkSeeder } from './bulk-postgres.js';
import type { BulkSeeder } from './bulk-seeder.js';
import { sqliteBulkSeeder } from './bulk-sqlite.js';

/**
 * A Stowage adapter the scale workloads run on, with a bulk seeder that writes the same
 * tables. `open(slot)` gives an adapter on its own namespace; the seeder for that slot must be
 * opened after the adapter created its tables.
 */
export interface ScaleSpec {
  /** Display name, the same as the adapter's target in the main tables. */
  readonly name: string;
  readonly backend: Backend;
  /** Sessions per sweep call: the batch size of the adapter's own background sweeper. */
  readonly sweepBatch: number;
  /** The adapter on a fresh namespace, background sweeping off (the workload sweeps). */
  adapter(slot: string): StowageAdapter;
  /** A raw bulk writer into the tables of `adapter(slot)`. */
  seeder(slot: string): BulkSeeder;
}

const namespace = (slot: string) => `scale_${slot}`;

/** The scale targets: the SQLite and PostgreSQL adapters, the backends that list by index. */
export function scaleSpecs(env: BenchEnv): ScaleSpec[] {
  const sqlitePath = (slot: string) => join(env.dir, `scale-${slot}.db`);
  return [
    {
      name: 'stowage-sqlite',
      backend: 'sqlite',
      // The adapter's default `sweepBatchSize`; the adapter splits a call into transactions of
      // at most 10 ms and yields between them.
      sweepBatch: 500,
      adapter: (slot) =>
        sqliteAdapter({ path: sqlitePath(slot), namespace: namespace(slot), sweepIntervalMs: 0 }),
      seeder: (slot) => sqliteBulkSeeder(sqlitePath(slot), namespace(slot)),
    },
    {
      name: 'stowage-postgres',
      backend: 'postgres',
      // The adapter's default `sweepBatchSize`.
      sweepBatch: 1000,
      adapter: (slot) =>
        postgresAdapter({
          connection: env.postgresUrl,
          schema: env.schema,
          namespace: namespace(slot),
          sweepIntervalMs: 0,
        }),
      seeder: (slot) => postgresBulkSeeder(env.postgresUrl, env.schema, namespace(slot)),
    },
  ];
}
