import { join } from 'node:path';
import { fileAdapter } from '@stowage/adapter-file';
import { postgresAdapter } from '@stowage/adapter-postgres';
import { redisAdapter } from '@stowage/adapter-redis';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import {
  createStorage,
  type ManualClock,
  manualClock,
  memoryAdapter,
  type Storage,
  type StowageAdapter,
} from '@stowage/core';
import type { BenchEnv } from '../env.js';
import type { Backend, BenchDoc, QueryCalls, Target, TargetSpec } from '../types.js';

/** Seeding and sweeping move in chunks of the largest batch core accepts. */
const CHUNK = 1000;
/** Sessions seeded for the sweep live this long, then the manual clock jumps past it. */
const SWEEP_TTL_MS = 60_000;
/** Generous per-call deadline: a loaded machine must not turn a slow batch into an error. */
const TIMEOUT = '120s';

/** Builds the adapter of one backend; `fast` relaxes durability for untimed seeding only. */
type AdapterFor = (slot: string, fast: boolean) => StowageAdapter;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function toInput(doc: BenchDoc) {
  return { id: doc.id, data: doc.data, state: doc.state, labels: doc.labels };
}

/** The listing and counting calls of the workloads on a Stowage storage: first pages of 100. */
export function storageQueries(storage: Storage): QueryCalls {
  return {
    listByState: async (state) => (await storage.sessions.list({ state, limit: 100 })).items.length,
    listByLabel: async (key, value) =>
      (await storage.sessions.list({ labels: { [key]: value }, limit: 100 })).items.length,
    countByState: (state) => storage.sessions.count({ state }),
    countByLabel: (key, value) => storage.sessions.count({ labels: { [key]: value } }),
  };
}

/**
 * Wraps one Stowage storage as a target. The sweep instance runs on a manual clock so seeded
 * sessions expire without waiting; seeding may go through a second, non-fsyncing storage on
 * the same data because seeding is not timed.
 */
async function stowageTarget(
  name: string,
  backend: Backend,
  adapterFor: AdapterFor,
  slot: string,
): Promise<Target> {
  const clock: ManualClock = manualClock(Date.now());
  const sweeping = slot.startsWith('sweep');
  const storage: Storage = createStorage({
    adapter: adapterFor(slot, false),
    timeout: TIMEOUT,
    ...(sweeping ? { clock } : {}),
  });
  const seedWith = async (docs: readonly BenchDoc[], ttl: number | null): Promise<void> => {
    const seeder =
      backend === 'file'
        ? createStorage({ adapter: adapterFor(slot, true), timeout: TIMEOUT, clock })
        : storage;
    try {
      for (const part of chunks(docs)) {
        await seeder.sessions.saveMany(part.map((doc) => ({ ...toInput(doc), ttl })));
      }
    } finally {
      if (seeder !== storage) await seeder.close();
    }
  };
  return {
    name,
    backend,
    kind: 'stowage',
    skips: {},
    async save(doc) {
      await storage.sessions.save(toInput(doc));
    },
    get: (id) => storage.sessions.get(id),
    async append(id, message) {
      await storage.messages.append(id, [message]);
    },
    async saveMany(docs) {
      await storage.sessions.saveMany(docs.map(toInput));
    },
    getMany: (ids) => storage.sessions.getMany(ids),
    query: { seed: (docs) => seedWith(docs, null), ...storageQueries(storage) },
    sweep: {
      async seedExpired(docs) {
        await seedWith(docs, SWEEP_TTL_MS);
        clock.advance(2 * SWEEP_TTL_MS);
      },
      async sweepAll() {
        let total = 0;
        for (;;) {
          const removed = await storage.sweep({ limit: CHUNK });
          total += removed;
          if (removed === 0) return total;
        }
      },
    },
    close: () => storage.close(),
  };
}

/** The five Stowage targets: memory, sqlite, file, postgres and standalone redis. */
export function stowageSpecs(env: BenchEnv): TargetSpec[] {
  const ns = (slot: string) => `${env.redisPrefix}${slot}`;
  const adapters: [Backend, AdapterFor][] = [
    ['memory', () => memoryAdapter({ sweepIntervalMs: 0 })],
    [
      'sqlite',
      (slot) => sqliteAdapter({ path: join(env.dir, `stowage-${slot}.db`), sweepIntervalMs: 0 }),
    ],
    [
      'file',
      (slot, fast) =>
        fileAdapter({
          dir: join(env.dir, 'stowage-file'),
          namespace: ns(slot),
          durability: fast ? 'none' : 'fsync',
          sweepIntervalMs: 0,
        }),
    ],
    [
      'postgres',
      (slot) =>
        postgresAdapter({
          connection: env.postgresUrl,
          schema: env.schema,
          namespace: `stowage_${slot}`,
          sweepIntervalMs: 0,
        }),
    ],
    [
      'redis',
      (slot) => redisAdapter({ url: env.redisUrl, namespace: ns(slot), sweepIntervalMs: 0 }),
    ],
  ];
  return adapters.map(([backend, adapterFor]) => ({
    name: `stowage-${backend}`,
    backend,
    kind: 'stowage' as const,
    create: (slot: string) => stowageTarget(`stowage-${backend}`, backend, adapterFor, slot),
  }));
}
