import { createStorage, memoryAdapter, type StorageOptions, StowageError } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

/** Asserts that building a storage with these options throws a `ConfigError`. */
function assertConfigError(options: StorageOptions, label: string): void {
  assert.throws(
    () => createStorage(options),
    (error: unknown) => error instanceof StowageError && error.code === 'CONFIG',
    `${label}: expected a CONFIG error`,
  );
}

/** Lifecycle cases: close, health, capabilities, configuration errors and adapter names on errors. */
export const lifecycleCases: ContractCase[] = group('lifecycle', [
  {
    name: 'close is idempotent',
    async run({ openStorage, id }) {
      const storage = await openStorage();
      await storage.sessions.save({ id: id(), data: 1 });
      await storage.close();
      await storage.close();
      await Promise.all([storage.close(), storage.close()]);
    },
  },
  {
    name: 'every call after close fails with a CLOSED error that names the adapter',
    async run({ openStorage, adapter, id }) {
      const storage = await openStorage();
      await storage.sessions.get(id());
      await storage.close();
      const calls: [string, () => Promise<unknown>][] = [
        ['sessions.get', () => storage.sessions.get(id())],
        ['sessions.save', () => storage.sessions.save({ id: id(), data: 1 })],
        ['sessions.list', () => storage.sessions.list()],
        ['capabilities', () => storage.capabilities()],
      ];
      if (adapter.messages) calls.push(['messages.length', () => storage.messages.length(id())]);
      if (adapter.kv) calls.push(['kv.get', () => storage.kv.get(id())]);
      for (const [label, call] of calls) {
        const error = await rejectsWith(call(), 'CLOSED', label);
        assert.equal(error.adapter, adapter.name);
      }
    },
  },
  {
    name: 'close waits for calls already in flight',
    async run({ openStorage, id }) {
      const storage = await openStorage();
      const sid = id();
      let settled = false;
      const pending = storage.sessions.save({ id: sid, data: 'in flight' }).then((s) => {
        settled = true;
        return s;
      });
      await storage.close();
      assert.equal(settled, true, 'close resolved before the in-flight save finished');
      assert.equal((await pending).version, 1);
    },
  },
  {
    name: 'a closed storage leaves the data for other storages on the backend',
    async run({ storage, openStorage, id }) {
      const other = await openStorage();
      const sid = id();
      await other.sessions.save({ id: sid, data: 'kept' });
      await other.close();
      assert.equal((await storage.sessions.get(sid))?.data, 'kept');
    },
  },
  {
    name: 'health reports ok with a latency and the adapter name',
    async run({ storage, adapter }) {
      const report = await storage.health();
      assert.equal(report.ok, true, JSON.stringify(report.details));
      assert.equal(typeof report.latencyMs, 'number');
      assert.ok(report.latencyMs >= 0 && Number.isFinite(report.latencyMs));
      assert.equal(report.details.adapter, adapter.name);
    },
  },
  {
    name: 'health after close reports not ok instead of throwing',
    async run({ openStorage }) {
      const storage = await openStorage();
      await storage.health();
      await storage.close();
      const report = await storage.health();
      assert.equal(report.ok, false);
      assert.equal(report.details.code, 'CLOSED');
    },
  },
  {
    name: 'capabilities returns the flags of the adapter',
    async run({ storage, adapter }) {
      const caps = await storage.capabilities();
      assert.deepEqual(caps, { ...adapter.capabilities });
      for (const flag of ['atomicBatch', 'multiProcess', 'persistent'] as const) {
        assert.equal(typeof caps[flag], 'boolean', flag);
      }
      assert.equal(storage.adapterName, adapter.name);
    },
  },
  {
    name: 'errors from the adapter carry its name',
    async run({ storage, adapter, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 });
      const conflict = await rejectsWith(
        storage.sessions.save({ id: sid, data: 2 }, { expectedVersion: 0 }),
        'CONFLICT',
      );
      assert.equal(conflict.adapter, adapter.name);
      if (adapter.messages) {
        const missing = await rejectsWith(storage.messages.append(id(), ['x']), 'NOT_FOUND');
        assert.equal(missing.adapter, adapter.name);
      }
    },
  },
  {
    name: 'two storages over one adapter instance are a CONFIG error',
    async run({ createAdapter, id }) {
      const shared = await createAdapter();
      const first = createStorage({ adapter: shared });
      const second = createStorage({ adapter: shared });
      try {
        await first.sessions.get(id());
        await rejectsWith(second.sessions.get(id()), 'CONFIG');
      } finally {
        await second.close();
        await first.close();
      }
    },
  },
  {
    name: 'createStorage refuses unknown options with a CONFIG error',
    async run() {
      assertConfigError({ url: 'memory:', tiemout: 5 } as StorageOptions, 'misspelt option');
      assertConfigError({ url: 'memory:', maxValueBytes: 0 }, 'maxValueBytes 0');
      assertConfigError({ url: 'memory:', maxValueBytes: 1.5 }, 'maxValueBytes 1.5');
      assertConfigError({ url: 'memory:', clock: {} as never }, 'clock without now()');
    },
  },
  {
    name: 'createStorage needs exactly one of adapter and url',
    async run() {
      assertConfigError({ adapter: memoryAdapter(), url: 'memory:' }, 'adapter and url');
      assertConfigError({}, 'neither adapter nor url');
      assertConfigError({ url: '' }, 'empty url');
    },
  },
  {
    name: 'createStorage refuses a bad timeout or sessionTtl with a CONFIG error',
    async run() {
      for (const timeout of ['abc', 0, -5, Number.NaN, '10 parsecs']) {
        assertConfigError({ url: 'memory:', timeout }, `timeout ${String(timeout)}`);
      }
      assertConfigError({ url: 'memory:', sessionTtl: 'forever' }, 'sessionTtl forever');
      assertConfigError({ url: 'memory:', sessionTtl: -1 }, 'sessionTtl -1');
    },
  },
  {
    name: 'createStorage refuses a bad namespace, or a namespace beside an adapter, with a CONFIG error',
    async run() {
      for (const namespace of ['', '1abc', 'a-b', 'a b', 'x'.repeat(49), '../up']) {
        assertConfigError({ url: 'memory:', namespace }, `namespace ${namespace}`);
      }
      assertConfigError({ adapter: memoryAdapter(), namespace: 'app' }, 'namespace with adapter');
    },
  },
  {
    name: 'sweep on a healthy storage returns a count and keeps live data',
    requires: ['sweep'],
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 'live' }, { ttl: '1h' });
      const removed = await storage.sweep({ limit: 10 });
      assert.ok(Number.isInteger(removed) && removed >= 0 && removed <= 10, String(removed));
      assert.equal((await storage.sessions.get(sid))?.data, 'live');
    },
  },
]);
