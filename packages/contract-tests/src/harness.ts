import { randomBytes } from 'node:crypto';
import {
  createStorage,
  manualClock,
  type Storage,
  type StorageOptions,
  type StowageAdapter,
} from '@stowage/core';
import { allCases } from './cases/index.js';
import type {
  AdapterContractOptions,
  BackendInspector,
  CaseContext,
  CaseResult,
  ContractCase,
  Requirement,
} from './types.js';

/** The state one group of cases shares: one adapter, one storage, one clock. */
export interface GroupFixture {
  storage: Storage;
  clock: ReturnType<typeof manualClock>;
  inspector: BackendInspector | undefined;
  adapter: StowageAdapter;
}

/** Opens the shared fixture of a group. */
export async function openGroup(options: AdapterContractOptions): Promise<GroupFixture> {
  const clock = manualClock();
  const adapter = await options.create();
  const storage = createStorage({ ...options.storageOptions, adapter, clock });
  const inspector = options.inspect ? await options.inspect() : undefined;
  return { storage, clock, inspector, adapter };
}

/** Closes a group's fixture. */
export async function closeGroup(fixture: GroupFixture): Promise<void> {
  await fixture.storage.close();
  await fixture.inspector?.close?.();
}

/** The cases of the suite, grouped, in a stable order, minus the run's exclusions. */
export function casesByGroup(options: AdapterContractOptions): Map<string, ContractCase[]> {
  const excluded = new Set(options.exclude ?? []);
  const groups = new Map<string, ContractCase[]>();
  for (const c of allCases) {
    if (excluded.has(c.name) || excluded.has(`${c.group}/${c.name}`)) continue;
    const list = groups.get(c.group) ?? [];
    list.push(c);
    groups.set(c.group, list);
  }
  return groups;
}

/** Why a case does not apply to this adapter, or undefined when it does. */
export function missingRequirement(
  c: ContractCase,
  fixture: GroupFixture,
): Requirement | undefined {
  const { adapter } = fixture;
  for (const need of c.requires ?? []) {
    const ok =
      need === 'inspector'
        ? fixture.inspector !== undefined
        : need === 'atomicBatch'
          ? adapter.capabilities.atomicBatch
          : need === 'sweep'
            ? typeof adapter.sweep === 'function'
            : need === 'restore'
              ? typeof adapter.sessions?.restore === 'function'
              : need === 'deleteIfUnchanged'
                ? typeof adapter.sessions?.deleteIfUnchanged === 'function'
                : need === 'kvEntries'
                  ? typeof adapter.kv?.getEntries === 'function'
                  : adapter[need] !== undefined;
    if (!ok) return need;
  }
  // A group's own kind of data is implied; every group but kv, queues and pubsub also works
  // through sessions.
  if (c.group === 'messages' && !adapter.messages) return 'messages';
  if (c.group === 'kv') return adapter.kv ? undefined : 'kv';
  if (c.group === 'queues') return adapter.queues ? undefined : 'queues';
  if (c.group === 'pubsub') return adapter.pubsub ? undefined : 'pubsub';
  if (!adapter.sessions) return 'sessions';
  return undefined;
}

/** Runs one case against a group fixture, closing any extra storages it opened. */
export async function runCase(
  c: ContractCase,
  fixture: GroupFixture,
  options: AdapterContractOptions,
): Promise<void> {
  const extra: Storage[] = [];
  const ctx: CaseContext = {
    storage: fixture.storage,
    clock: fixture.clock,
    inspector: fixture.inspector,
    adapter: fixture.adapter,
    createAdapter: async () => options.create(),
    id: (prefix = 'id') => `${prefix}-${randomBytes(8).toString('hex')}`,
    openStorage: async (overrides?: Omit<StorageOptions, 'adapter' | 'url' | 'namespace'>) => {
      const storage = createStorage({
        ...options.storageOptions,
        clock: fixture.clock,
        ...overrides,
        adapter: await options.create(),
      });
      extra.push(storage);
      return storage;
    },
  };
  try {
    await c.run(ctx);
  } finally {
    await Promise.all(extra.map((s) => s.close()));
  }
}

/**
 * Runs the whole suite without a test framework and returns one result per case. Useful to
 * check a suite run programmatically (the suite's own tests use it on broken adapters).
 */
export async function runAdapterContract(options: AdapterContractOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const [group, cases] of casesByGroup(options)) {
    const fixture = await openGroup(options);
    try {
      for (const c of cases) {
        if (missingRequirement(c, fixture)) {
          results.push({ group, name: c.name, status: 'skipped' });
          continue;
        }
        try {
          await runCase(c, fixture, options);
          results.push({ group, name: c.name, status: 'passed' });
        } catch (error) {
          results.push({ group, name: c.name, status: 'failed', error });
        }
      }
    } finally {
      await closeGroup(fixture);
    }
  }
  return results;
}
