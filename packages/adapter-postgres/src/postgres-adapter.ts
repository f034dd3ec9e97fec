import { ClosedError, type StowageAdapter } from '@stowage/core';
import type { QueryResultRow } from 'pg';
import { Database, type Executor, type PlanMode, type RunQuery } from './database.js';
import { ADAPTER } from './errors.js';
import { countExpired } from './expired-count.js';
import { postgresKvDriver } from './kv-driver.js';
import { postgresMessageDriver } from './message-driver.js';
import { assertMigrated, LATEST_VERSION, migrate } from './migrations.js';
import { type PostgresAdapterOptions, resolveOptions } from './options.js';
import { postgresPubSub } from './pubsub-driver.js';
import { postgresQueueDriver } from './queue-driver.js';
import { postgresSessionDriver } from './session-driver.js';
import { tableNames } from './sql.js';
import { Sweeper, sweepExpired } from './sweeper.js';

/**
 * A Stowage adapter on PostgreSQL: sessions as rows with JSONB labels and single-statement
 * version checks, messages in their own table (O(1) appends), kv with atomic counters, job
 * queues leased with SKIP LOCKED, pub/sub over LISTEN/NOTIFY, versioned migrations under an
 * advisory lock and a background sweeper. The pool is created when the
 * storage first opens the adapter; a pool passed in is used as is and never closed.
 *
 * @example
 * ```ts
 * import { createStorage } from '@stowage/core';
 * import { postgresAdapter } from '@stowage/adapter-postgres';
 * const storage = createStorage(postgresAdapter({ connection: process.env.DATABASE_URL ?? '' }));
 * ```
 */
export function postgresAdapter(options: PostgresAdapterOptions): StowageAdapter {
  const config = resolveOptions(options);
  const tables = tableNames(config.schema, config.namespace);
  let db: Database | undefined;
  const current = (): Database => {
    if (!db) throw new ClosedError('The postgres adapter is not open', { adapter: ADAPTER });
    return db;
  };
  // Drivers resolve the database per call: the adapter exists before open() creates the pool.
  const lazy: Executor = {
    query<R extends QueryResultRow>(
      what: string,
      text: string,
      values?: unknown[],
      plan?: PlanMode,
    ) {
      return current().query<R>(what, text, values, plan);
    },
    transaction<T>(what: string, fn: (query: RunQuery) => Promise<T>, timeoutMs?: number) {
      return current().transaction(what, fn, timeoutMs);
    },
  };
  const sweeper = new Sweeper(
    (limit, now) => sweepExpired(lazy, tables, limit, now),
    config.onBackgroundError,
  );
  const pubsub = postgresPubSub(config, lazy, tables);

  return {
    name: ADAPTER,
    capabilities: { atomicBatch: true, multiProcess: true, persistent: true },
    sessions: postgresSessionDriver(lazy, tables),
    messages: postgresMessageDriver(lazy, tables),
    kv: postgresKvDriver(lazy, tables),
    queues: postgresQueueDriver(lazy, tables),
    pubsub: pubsub.driver,
    async open({ clock, timeoutMs }) {
      if (db) return;
      const opened = new Database(config, timeoutMs);
      try {
        if (config.migrate) await migrate(opened, tables, config.namespace, timeoutMs);
        else await assertMigrated(opened, tables);
      } catch (error) {
        await opened.close();
        throw error;
      }
      db = opened;
      pubsub.configure(timeoutMs);
      sweeper.start(clock, config.sweepIntervalMs, config.sweepBatchSize);
    },
    async close() {
      sweeper.stop();
      await pubsub.close();
      const closing = db;
      db = undefined;
      await closing?.close();
    },
    async health() {
      const [row] = await current().query<{ version: string }>(
        'health',
        "SELECT current_setting('server_version') AS version",
      );
      return {
        serverVersion: row?.version ?? null,
        schema: config.schema,
        namespace: config.namespace,
        schemaVersion: LATEST_VERSION,
        pool: { ...current().stats() },
      };
    },
    sweep(limit, ctx) {
      return sweepExpired(current(), tables, limit, ctx.now);
    },
    countExpired: ({ now }) => countExpired(current(), tables, now),
  };
}
