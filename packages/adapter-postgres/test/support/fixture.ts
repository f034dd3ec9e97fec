import { createStorage, type ManualClock, manualClock, type Storage } from '@stowage/core';
import { afterAll } from 'vitest';
import { type PostgresAdapterOptions, postgresAdapter } from '../../src/index.js';
import { dropSchema, randomSchema, SHARED_URL } from './shared-server.js';

/** A schema of its own on the shared server, storages over it, and cleanup after the file. */
export interface Fixture {
  schema: string;
  clock: ManualClock;
  /** Opens a storage on a new adapter instance over the fixture's schema and clock. */
  open(options?: Partial<PostgresAdapterOptions>): Storage;
}

/** Declares a fixture for one test file; everything it created is dropped in `afterAll`. */
export function useFixture(): Fixture {
  const schema = randomSchema();
  const clock = manualClock(Date.UTC(2026, 0, 1));
  const opened: Storage[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await dropSchema(schema);
  });
  return {
    schema,
    clock,
    open(options = {}) {
      const storage = createStorage(
        postgresAdapter({ connection: SHARED_URL, schema, sweepIntervalMs: 0, ...options }),
        { clock },
      );
      opened.push(storage);
      return storage;
    },
  };
}
