import { describe, expect, it } from 'vitest';
import {
  BackendError,
  createStorage,
  type MirrorDifference,
  manualClock,
  memoryAdapter,
  mirrored,
  type StowageAdapter,
} from '../../src/index.js';
import { intercept } from './helpers.js';

/** A memory adapter whose session calls fail while `failing` is set. */
function flaky(withRestore = true) {
  const inner = memoryAdapter();
  const state = { failing: false };
  const sessions = inner.sessions;
  if (!sessions) throw new Error('memory adapter without sessions');
  const { restore: _restore, ...plain } = sessions;
  const adapter: StowageAdapter = {
    ...inner,
    name: 'flaky',
    sessions: intercept(withRestore ? sessions : plain, () => {
      if (state.failing) throw new BackendError('disk full (test)');
    }),
  };
  return { adapter, state, inner };
}

function setup(withRestore = true) {
  const clock = manualClock(1_000_000);
  const primary = memoryAdapter();
  const secondary = flaky(withRestore);
  const seen: MirrorDifference[] = [];
  const adapter = mirrored(primary, secondary.adapter, { onDifference: (d) => seen.push(d) });
  const storage = createStorage({ adapter, clock });
  const at = () => ({ now: clock.now() });
  /** Asserts that both sides hold the same session and messages. */
  const same = async (id: string) => {
    expect(await secondary.inner.sessions?.get(id, at())).toEqual(
      await primary.sessions?.get(id, at()),
    );
    expect(await secondary.inner.messages?.range(id, 0, -1, at())).toEqual(
      await primary.messages?.range(id, 0, -1, at()),
    );
  };
  return { clock, primary, secondary, adapter, storage, seen, same, at };
}

describe('mirrored', () => {
  it('replicates every write exactly: versions, timestamps and expiry included', async () => {
    const { adapter, storage, clock, same, primary, secondary, at } = setup();
    await storage.sessions.save({ id: 's', data: { n: 1 }, labels: { u: '1' } }, { ttl: '1h' });
    clock.advance(1000);
    await storage.sessions.update<{ n: number }>('s', (cur) => ({
      data: { n: (cur?.data.n ?? 0) + 1 },
    }));
    clock.advance(1000);
    await storage.messages.append('s', ['a', 'b'], { idempotencyKey: 'k1' });
    await storage.messages.append('s', ['a', 'b'], { idempotencyKey: 'k1' });
    await storage.sessions.touch('s', '2h');
    await storage.sessions.saveMany([
      { id: 'm1', data: 1 },
      { id: 'm2', data: 2 },
    ]);
    await storage.kv.set('k', { v: true }, { ttl: '5m' });
    await storage.kv.increment('c', 3);
    await storage.sessions.delete('m1');
    for (const id of ['s', 'm1', 'm2']) await same(id);
    expect(await secondary.inner.kv?.getEntries?.(['k', 'c'], at())).toEqual(
      await primary.kv?.getEntries?.(['k', 'c'], at()),
    );
    expect(adapter.differences()).toEqual({ total: 0, unrepaired: 0, recent: [] });
  });

  it('never fails the call on a secondary failure, reports it, and repairs on the next write', async () => {
    const { adapter, storage, secondary, seen, same } = setup();
    secondary.state.failing = true;
    const saved = await storage.sessions.save({ id: 's', data: 1 });
    expect(saved.version).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      op: 'sessions.save',
      key: 's',
      reason: 'error',
      repaired: false,
    });
    expect(adapter.differences()).toMatchObject({ total: 1, unrepaired: 1 });
    secondary.state.failing = false;
    await storage.messages.append('s', ['x']);
    await storage.sessions.save({ id: 's', data: 2 });
    await same('s');
    expect(seen.at(-1)).toMatchObject({ key: 's', repaired: true });
  });

  it('reports and repairs a secondary that drifted, with or without restore', async () => {
    for (const withRestore of [true, false]) {
      const { adapter, storage, primary, same, at } = setup(withRestore);
      // Written to the primary alone, as before mirroring started.
      const write = { id: 'old', data: '1', state: 'active', labels: {}, maxExpiresAt: null };
      await primary.sessions?.save(write, at());
      await primary.sessions?.save(write, at());
      await primary.messages?.append('old', ['"m"'], {}, at());
      await storage.sessions.save({ id: 'old', data: 3 });
      await same('old');
      const report = adapter.differences();
      expect(report).toMatchObject({ total: 1, unrepaired: 0 });
      expect(report.recent[0]).toMatchObject({ reason: 'conflict', repaired: true });
    }
  });

  it('reads from the primary only', async () => {
    const { storage, secondary, at } = setup();
    await secondary.inner.sessions?.save(
      { id: 'only-secondary', data: '1', state: 'active', labels: {}, maxExpiresAt: null },
      at(),
    );
    expect(await storage.sessions.get('only-secondary')).toBeNull();
  });

  it('passes a throwing listener as a warning, not as a failure of the call', async () => {
    const secondary = flaky();
    secondary.state.failing = true;
    const storage = createStorage(
      mirrored(memoryAdapter(), secondary.adapter, {
        onDifference: () => {
          throw new Error('listener bug');
        },
      }),
    );
    const warned = new Promise((resolve) => process.once('warning', resolve));
    await expect(storage.sessions.save({ id: 's', data: 1 })).resolves.toMatchObject({
      version: 1,
    });
    expect(String(await warned)).toMatch(/listener bug/);
  });

  it('counts a secondary that stops answering as a difference within secondaryTimeout', async () => {
    const inner = memoryAdapter();
    const never = new Promise<never>(() => {});
    const hung: StowageAdapter = {
      ...inner,
      sessions: intercept(inner.sessions as NonNullable<StowageAdapter['sessions']>, () => never),
    };
    const adapter = mirrored(memoryAdapter(), hung, { secondaryTimeout: 20 });
    const storage = createStorage({ adapter, timeout: '10s' });
    await expect(storage.sessions.save({ id: 's', data: 1 })).resolves.toMatchObject({
      version: 1,
    });
    expect(adapter.differences().recent[0]).toMatchObject({
      op: 'sessions.save',
      reason: 'error',
      repaired: false,
    });
    await storage.close();
  });
});
