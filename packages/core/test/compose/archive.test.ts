import { describe, expect, it } from 'vitest';
import {
  type ArchivedAdapter,
  type ArchiveOptions,
  archive,
  CapabilityError,
  ClosedError,
  ConfigError,
  ConflictError,
  createStorage,
  type ManualClock,
  manualClock,
  memoryAdapter,
  type SessionDriver,
  type StowageAdapter,
  ValidationError,
} from '../../src/index.js';
import { gate, intercept, until, view } from './helpers.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A view whose session and message calls each wait a macrotask, so other work interleaves. */
function slow(inner: StowageAdapter, name: string): StowageAdapter {
  const base = view(inner, name);
  return {
    ...base,
    sessions: intercept(inner.sessions as SessionDriver, tick),
    ...(inner.messages ? { messages: intercept(inner.messages, tick) } : {}),
  };
}

const DAY = 86_400_000;

/** A hot tier whose `deleteIfUnchanged` can be held after the copy, before the delete. */
function holdableHot(inner: StowageAdapter = memoryAdapter()) {
  const state = { hold: undefined as Promise<void> | undefined, reached: 0 };
  const sessions = inner.sessions as SessionDriver;
  const adapter: StowageAdapter = {
    ...view(inner, 'hot'),
    sessions: {
      ...sessions,
      async deleteIfUnchanged(id, expected, ctx) {
        state.reached++;
        await state.hold;
        return (sessions.deleteIfUnchanged as NonNullable<SessionDriver['deleteIfUnchanged']>)(
          id,
          expected,
          ctx,
        );
      },
    },
  };
  return { adapter, state };
}

function setup(
  options: Partial<ArchiveOptions> & { clock?: ManualClock; hotInner?: StowageAdapter } = {},
) {
  const clock = options.clock ?? manualClock(1_700_000_000_000);
  const hotInner = options.hotInner ?? memoryAdapter({ sweepIntervalMs: 0 });
  const coldInner = memoryAdapter({ sweepIntervalMs: 0 });
  const hot = holdableHot(hotInner);
  const adapter = archive({
    hot: hot.adapter,
    cold: view(coldInner, 'cold'),
    idleFor: '1d',
    ...options,
  });
  const storage = createStorage({ adapter, clock });
  const at = () => ({ now: clock.now() });
  return { clock, adapter, storage, hot, hotInner, coldInner, at };
}

describe('archive: options', () => {
  const hot = () => memoryAdapter();
  it('validates its options with ConfigError', () => {
    const bad: unknown[] = [
      undefined,
      { hot: hot(), cold: hot() },
      { hot: hot(), cold: hot(), idleFor: 0 },
      { hot: hot(), cold: hot(), idleFor: 'soon' },
      { hot: hot(), cold: hot(), idleFor: '1d', interval: -5 },
      { hot: hot(), cold: hot(), idleFor: '1d', batchSize: 0 },
      { hot: hot(), cold: hot(), idleFor: '1d', batchSize: 1.5 },
      { hot: hot(), cold: hot(), idleFor: '1d', lease: 'x' },
      { hot: hot(), cold: hot(), idleFor: '1d', prefix: '' },
      { hot: {}, cold: hot(), idleFor: '1d' },
    ];
    for (const options of bad) {
      expect(() => archive(options as ArchiveOptions), JSON.stringify(options)).toThrow(
        ConfigError,
      );
    }
    const same = hot();
    expect(() => archive({ hot: same, cold: same, idleFor: '1d' })).toThrow(ConfigError);
    const inner = hot();
    const { messages: _m, ...noMessages } = inner;
    expect(() => archive({ hot: hot(), cold: noMessages, idleFor: '1d' })).toThrow(/messages/);
  });

  it('needs restore on the cold tier and deleteIfUnchanged on the hot one (CapabilityError)', () => {
    const inner = memoryAdapter();
    const { restore: _r, ...noRestore } = inner.sessions as SessionDriver;
    const { deleteIfUnchanged: _d, ...noCad } = inner.sessions as SessionDriver;
    expect(() =>
      archive({ hot: memoryAdapter(), cold: { ...inner, sessions: noRestore }, idleFor: '1d' }),
    ).toThrow(CapabilityError);
    expect(() =>
      archive({ hot: { ...inner, sessions: noCad }, cold: memoryAdapter(), idleFor: '1d' }),
    ).toThrow(CapabilityError);
  });

  it('refuses a bad run limit and runs after close', async () => {
    const { adapter, storage } = setup();
    await storage.health();
    await expect(adapter.archiveIdle({ limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await storage.close();
    await expect(adapter.archiveIdle()).rejects.toBeInstanceOf(ClosedError);
  });
});

describe('archive: where sessions live', () => {
  it('creates sessions hot and moves idle ones, with their messages, exactly', async () => {
    const { adapter, storage, clock, hotInner, coldInner, at } = setup();
    const old = await storage.sessions.save(
      { id: 'old', data: { a: 1 }, labels: { user: 'u' } },
      { ttl: '30d' },
    );
    await storage.messages.append('old', ['one', 'two']);
    expect(await hotInner.sessions?.get('old', at())).not.toBeNull();
    expect(await coldInner.sessions?.get('old', at())).toBeNull();
    clock.advance(DAY + 1);
    await storage.sessions.save({ id: 'fresh', data: {} });
    const before = await storage.sessions.get('old');

    const report = await adapter.archiveIdle();
    expect(report).toEqual({ examined: 1, moved: 1, changed: 0, busy: 0, failed: 0 });
    expect(await hotInner.sessions?.get('old', at())).toBeNull();
    const cold = await coldInner.sessions?.get('old', at());
    expect(cold?.version).toBe(old.version);
    expect(await storage.sessions.get('old')).toEqual(before);
    expect(await storage.messages.range('old')).toEqual(['one', 'two']);
    expect(await storage.messages.length('old')).toBe(2);
    expect(await hotInner.sessions?.get('fresh', at())).not.toBeNull();
    // No claim is left behind in the hot kv.
    expect((await storage.kv.keys({ prefix: 'stowage:archive:' })).items).toEqual([]);
    expect((await adapter.archiveIdle()).examined).toBe(0);
    await storage.close();
  });

  it('applies writes to an archived session in the cold tier, with its version rules', async () => {
    const { adapter, storage, clock, hotInner, coldInner, at } = setup();
    await storage.sessions.save({ id: 's', data: { n: 1 } }, { ttl: '30d' });
    await storage.messages.append('s', ['a']);
    clock.advance(DAY + 1);
    await adapter.archiveIdle();

    const saved = await storage.sessions.save({ id: 's', data: { n: 2 } }, { expectedVersion: 1 });
    expect(saved.version).toBe(2);
    await expect(
      storage.sessions.save({ id: 's', data: { n: 3 } }, { expectedVersion: 1 }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      storage.sessions.save({ id: 's', data: { n: 3 } }, { expectedVersion: 0 }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await storage.sessions.save({ id: 's', data: { n: 3 } })).version).toBe(3);
    await storage.sessions.update<{ n: number }>('s', (current) => ({
      data: { n: (current?.data.n ?? 0) + 1 },
    }));
    expect(await storage.messages.append('s', ['b', 'c'], { idempotencyKey: 'k' })).toBe(3);
    expect(await storage.messages.append('s', ['b', 'c'], { idempotencyKey: 'k' })).toBe(3);
    expect(await storage.sessions.touch('s', '60d')).toBeTruthy();
    expect(await storage.messages.trim('s', { keepLast: 2 })).toBe(1);

    expect(await hotInner.sessions?.get('s', at())).toBeNull();
    const cold = await coldInner.sessions?.get('s', at());
    expect(cold?.version).toBe(4);
    expect(cold?.expiresAt).toBe(clock.now() + 60 * DAY);
    expect(await storage.messages.range('s')).toEqual(['b', 'c']);
    expect(await storage.sessions.get('s')).toMatchObject({ version: 4, data: { n: 4 } });
    await storage.close();
  });

  it('lists, counts and deletes across both tiers without duplicates', async () => {
    const { adapter, storage, clock, coldInner, at } = setup();
    for (let i = 0; i < 6; i++) {
      await storage.sessions.save({ id: `a${i}`, data: { i }, labels: { user: 'u' } });
      clock.advance(1000);
    }
    clock.advance(DAY);
    for (let i = 0; i < 5; i++) {
      await storage.sessions.save({ id: `b${i}`, data: { i }, labels: { user: 'u' } });
      clock.advance(1000);
    }
    expect((await adapter.archiveIdle({ limit: 3 })).moved).toBe(3);
    // An interrupted move's leftover: a stale cold copy behind a hot session.
    const hotA4 = await adapter.sessions?.get('a4', at());
    await coldInner.sessions?.restore?.(
      [{ ...(hotA4 as NonNullable<typeof hotA4>), data: '"stale"' }],
      at(),
    );

    const ids: string[] = [];
    for await (const s of storage.sessions.iterate({ labels: { user: 'u' }, limit: 2 })) {
      ids.push(s.id);
    }
    expect(ids).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'b0', 'b1', 'b2', 'b3', 'b4']);
    const desc = await storage.sessions.list({ order: 'desc', limit: 20 });
    expect(desc.items.map((s) => s.id)).toEqual([...ids].reverse());
    expect((await storage.sessions.get('a4'))?.data).toEqual({ i: 4 });
    expect(await storage.sessions.count({ labels: { user: 'u' } })).toBe(11);
    expect(await storage.sessions.count({})).toBe(11);
    expect(await storage.sessions.getMany(['a0', 'b0', 'zz'])).toMatchObject([
      { id: 'a0' },
      { id: 'b0' },
      null,
    ]);
    expect(await storage.sessions.deleteMany(['a0', 'b0', 'zz'])).toBe(2);
    expect(await storage.sessions.delete('a1')).toBe(true);
    expect(await storage.sessions.deleteWhere({ labels: { user: 'u' } })).toBe(8);
    expect(await storage.sessions.count({})).toBe(0);
    expect(await coldInner.sessions?.count({}, at())).toBe(0);
    await storage.close();
  });

  it('keeps kv, queues and pub/sub in the hot tier', async () => {
    const { storage, hotInner, at } = setup();
    await storage.kv.set('k', 1);
    expect(await hotInner.kv?.get('k', at())).toBe('1');
    await storage.queue('q').enqueue({ x: 1 });
    expect((await hotInner.queues?.size('q', at()))?.ready).toBe(1);
    await storage.close();
  });
});

describe('archive: writes racing a move', () => {
  async function heldMove(setupResult: ReturnType<typeof setup>) {
    const { adapter, hot } = setupResult;
    const held = gate();
    hot.state.hold = held.wait;
    const run = adapter.archiveIdle();
    await until(() => hot.state.reached > 0);
    return { run, release: held.open };
  }

  it('an append between the copy and the delete keeps the session hot with every message', async () => {
    const s = setup();
    const { storage, clock, hotInner, coldInner, at } = s;
    await storage.sessions.save({ id: 'c', data: {} });
    await storage.messages.append('c', ['m0']);
    clock.advance(DAY + 1);
    const { run, release } = await heldMove(s);
    // The copy is in the cold tier now; these land on the hot copy (version unchanged).
    const appended = await Promise.all(
      Array.from({ length: 10 }, (_, i) => storage.messages.append('c', [`m${i + 1}`])),
    );
    expect(Math.max(...appended)).toBe(11);
    release();
    expect(await run).toMatchObject({ moved: 0, changed: 1 });
    expect(await hotInner.messages?.length('c', at())).toBe(11);
    expect(await coldInner.sessions?.get('c', at())).toBeNull();
    expect(await storage.messages.length('c')).toBe(11);
    await storage.close();
  });

  it('a save, a touch, a trim or a delete between the copy and the delete wins too', async () => {
    const writes: [string, (st: ReturnType<typeof setup>['storage']) => Promise<unknown>][] = [
      ['save', (st) => st.sessions.save({ id: 'w', data: { saved: true } })],
      ['touch', (st) => st.sessions.touch('w', '90d')],
      ['trim', (st) => st.messages.trim('w', { keepLast: 0 })],
      ['delete', (st) => st.sessions.delete('w')],
    ];
    for (const [what, write] of writes) {
      const s = setup();
      await s.storage.sessions.save({ id: 'w', data: { saved: false } }, { ttl: '30d' });
      await s.storage.messages.append('w', ['x']);
      s.clock.advance(DAY + 1);
      const { run, release } = await heldMove(s);
      await write(s.storage);
      const expected = await s.hotInner.sessions?.get('w', s.at());
      const expectedLog = await s.hotInner.messages?.range('w', 0, -1, s.at());
      release();
      expect(await run, what).toMatchObject({ moved: 0, changed: 1 });
      expect(await s.coldInner.sessions?.get('w', s.at()), what).toBeNull();
      expect(await s.adapter.sessions?.get('w', s.at()), what).toEqual(expected);
      expect(await s.adapter.messages?.range('w', 0, -1, s.at()), what).toEqual(expectedLog);
      await s.storage.close();
    }
  });

  it('loses no message when appends run throughout concurrent archiving runs', async () => {
    const clock = manualClock(1_700_000_000_000);
    const hotInner = memoryAdapter({ sweepIntervalMs: 0 });
    const coldInner = memoryAdapter({ sweepIntervalMs: 0 });
    // Two app instances: two compositions over the same two backends.
    const instances: ArchivedAdapter[] = [0, 1].map((i) =>
      archive({ hot: slow(hotInner, `hot${i}`), cold: slow(coldInner, `cold${i}`), idleFor: '1h' }),
    );
    const storages = instances.map((adapter) => createStorage({ adapter, clock }));
    const [a, b] = storages as [(typeof storages)[0], (typeof storages)[0]];
    // Both instances run on the test clock (claims expire by it).
    await b.health();
    const ids = Array.from({ length: 40 }, (_, i) => `s${i}`);
    for (const id of ids) {
      await a.sessions.save({ id, data: {} });
      await a.messages.append(id, ['seed']);
    }
    clock.advance(3_600_001);
    const sent = new Map(ids.map((id) => [id, ['seed']]));
    // Each session gets its appends at its own moment of the runs, so many land while the
    // session is being copied (between the archiver's read and its delete).
    const appenders = ids.map(async (id, i) => {
      for (let k = 0; k < 2; k++) {
        for (let t = (i * 37 + k * 101) % 400; t > 0; t--) await tick();
        const message = `${id}-${k}`;
        await (i % 2 === 0 ? a : b).messages.append(id, [message]);
        sent.get(id)?.push(message);
      }
    });
    const runs = [
      ...instances.map((x) => x.archiveIdle({ limit: 100 })),
      ...instances.map((x) => x.archiveIdle({ limit: 100 })),
    ];
    const reports = await Promise.all(runs);
    await Promise.all(appenders);
    // Everything still hot is idle again after another hour: a last run moves the rest.
    clock.advance(3_600_001);
    const last = await instances[0]?.archiveIdle({ limit: 100 });
    const moved = reports.reduce((n, r) => n + r.moved, 0) + (last?.moved ?? 0);
    expect(reports.every((r) => r.failed === 0)).toBe(true);
    expect(moved).toBe(ids.length);
    for (const id of ids) {
      expect(await a.messages.range(id), id).toEqual(sent.get(id));
      expect(await hotInner.sessions?.get(id, { now: clock.now() })).toBeNull();
    }
    expect(await a.sessions.count({})).toBe(ids.length);
    await Promise.all(storages.map((s) => s.close()));
  });

  it('lets only one of two archivers move a session and never duplicates its log', async () => {
    const clock = manualClock(1_700_000_000_000);
    const hotInner = memoryAdapter({ sweepIntervalMs: 0 });
    const coldInner = memoryAdapter({ sweepIntervalMs: 0 });
    const instances = [0, 1].map((i) =>
      archive({ hot: view(hotInner, `hot${i}`), cold: view(coldInner, `cold${i}`), idleFor: '1h' }),
    );
    const storages = instances.map((adapter) => createStorage({ adapter, clock }));
    await storages[0]?.sessions.save({ id: 'one', data: {} });
    await storages[0]?.messages.append('one', ['a', 'b', 'c']);
    await storages[1]?.health();
    clock.advance(3_600_001);
    const reports = await Promise.all(instances.map((x) => x.archiveIdle()));
    expect(reports.reduce((n, r) => n + r.moved, 0)).toBe(1);
    expect(reports.reduce((n, r) => n + r.busy + r.changed, 0)).toBe(1);
    expect(await storages[1]?.messages.range('one')).toEqual(['a', 'b', 'c']);
    await Promise.all(storages.map((s) => s.close()));
  });

  it('replaces the leftover of an interrupted move on the next run', async () => {
    const { adapter, storage, clock, coldInner, at } = setup();
    await storage.sessions.save({ id: 'r', data: { v: 'real' } });
    await storage.messages.append('r', ['real']);
    const stored = await adapter.sessions?.get('r', at());
    await coldInner.sessions?.restore?.(
      [{ ...(stored as NonNullable<typeof stored>), data: '{"v":"stale"}' }],
      at(),
    );
    await coldInner.messages?.append('r', ['stale', 'stale'], {}, at());
    expect(await storage.sessions.count({})).toBe(1);
    expect((await storage.sessions.get('r'))?.data).toEqual({ v: 'real' });
    clock.advance(DAY + 1);
    expect((await adapter.archiveIdle()).moved).toBe(1);
    expect((await storage.sessions.get('r'))?.data).toEqual({ v: 'real' });
    expect(await storage.messages.range('r')).toEqual(['real']);
    await storage.close();
  });

  it('runs on its own every interval once opened', async () => {
    const { storage, clock, coldInner, at } = setup({ interval: 5, batchSize: 10 });
    await storage.sessions.save({ id: 't', data: {} });
    clock.advance(DAY + 1);
    await until(async () => (await coldInner.sessions?.get('t', at())) !== null, 100_000);
    expect((await storage.sessions.get('t'))?.id).toBe('t');
    await storage.close();
  });
});
