import { afterEach, describe, expect, it } from 'vitest';
import {
  CapabilityError,
  CHECKPOINT_KEY,
  CorruptionError,
  type MigrationProgress,
  memoryAdapter,
  migrate,
  type StowageAdapter,
  ValidationError,
} from '../src/index.js';
import { verifyCopy } from '../src/migrate/verify.js';
import { seed, sides } from './migrate-helpers.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function setup() {
  const s = sides();
  cleanup = s.close;
  return s;
}

describe('migrate', () => {
  it('copies sessions exactly, with their messages, and kv entries with expiry', async () => {
    const { clock, from, to } = setup();
    await seed(from.storage, clock, 40);
    clock.advance(1000);
    const result = await migrate(from.adapter, to.adapter, { batchSize: 7, clock, verify: true });
    expect(result).toMatchObject({ sessions: 40, kv: 21, resumed: false });
    expect(result.verify?.ok).toBe(true);
    expect(result.verify?.sourceChecksum).toBe(result.verify?.targetChecksum);

    const source = await from.storage.sessions.list({ limit: 100 });
    const target = await to.storage.sessions.list({ limit: 100 });
    expect(target.items).toEqual(source.items);
    for (const s of source.items) {
      expect(await to.storage.messages.range(s.id)).toEqual(
        await from.storage.messages.range(s.id),
      );
    }
    expect(await to.storage.kv.get('counter')).toBe(42);
    expect(await to.storage.kv.increment('counter')).toBe(43);
    // Expiry travelled with the entries: a TTL'd entry disappears on the target too.
    clock.advance(2 * 3_600_000);
    expect(await to.storage.kv.get('k-0')).toBeUndefined();
    expect(await to.storage.kv.get('k-1')).toEqual({ i: 1 });
    expect(await to.storage.sessions.get('s-0000')).toBeNull();
    expect(await to.adapter.kv?.get(CHECKPOINT_KEY, { now: clock.now() })).toBeUndefined();
  });

  it('leaves out expired items and reports progress per batch with a total', async () => {
    const { clock, from, to } = setup();
    await seed(from.storage, clock, 12);
    clock.advance(3_600_000);
    const events: MigrationProgress[] = [];
    const result = await migrate(from.adapter, to.adapter, {
      batchSize: 4,
      clock,
      onProgress: (p) => events.push(p),
    });
    const live = await from.storage.sessions.count();
    expect(live).toBe(9);
    expect(result.sessions).toBe(live);
    expect(await to.storage.sessions.count()).toBe(live);
    const sessionEvents = events.filter((e) => e.phase === 'sessions');
    expect(sessionEvents.map((e) => e.done)).toEqual([4, 8, 9]);
    expect(sessionEvents.every((e) => e.total === live && e.rate >= 0)).toBe(true);
    expect(events.at(-1)?.phase).toBe('kv');
  });

  it('verification lists missing, extra and different items', async () => {
    const { clock, from, to } = setup();
    await seed(from.storage, clock, 10);
    await migrate(from.adapter, to.adapter, { clock });
    await to.storage.sessions.delete('s-0001');
    await to.storage.sessions.save({ id: 's-0002', data: { tampered: true } });
    await to.storage.messages.append('s-0003', ['extra message']);
    await to.storage.kv.set('only-on-target', 1);
    await to.storage.kv.set('k-1', { i: 'changed' });
    const settings = { batchSize: 3, messageChunk: 2, clock, maxProblems: 10 };
    const report = await verifyCopy(from.adapter, to.adapter, settings);
    expect(report.ok).toBe(false);
    expect(report.sessions).toMatchObject({
      source: 10,
      target: 9,
      missing: 1,
      different: 2,
      extra: 0,
    });
    expect(report.kv).toMatchObject({ missing: 0, extra: 1, different: 1 });
    expect(report.problems).toEqual([
      { kind: 'session', id: 's-0001', problem: 'missing' },
      { kind: 'session', id: 's-0002', problem: 'different' },
      { kind: 'session', id: 's-0003', problem: 'different' },
      { kind: 'kv', id: 'k-1', problem: 'different' },
      { kind: 'kv', id: 'only-on-target', problem: 'extra' },
    ]);
    expect(report.sourceChecksum).not.toBe(report.targetChecksum);
  });

  it('resumes after an abort from the last completed batch without duplicating messages', async () => {
    const { clock, from, to } = setup();
    await seed(from.storage, clock, 30);
    const controller = new AbortController();
    let batches = 0;
    const stopped = await migrate(from.adapter, to.adapter, {
      batchSize: 5,
      clock,
      signal: controller.signal,
      onProgress: () => {
        if (++batches === 3) controller.abort(new Error('stop here'));
      },
    }).catch((e: unknown) => e);
    expect((stopped as Error).message).toBe('stop here');
    const checkpoint = await to.adapter.kv?.get(CHECKPOINT_KEY, { now: clock.now() });
    expect(JSON.parse(checkpoint ?? '{}')).toMatchObject({
      sessions: 15,
      position: { phase: 'sessions' },
    });

    const events: MigrationProgress[] = [];
    const result = await migrate(from.adapter, to.adapter, {
      batchSize: 5,
      clock,
      resume: true,
      verify: true,
      onProgress: (p) => events.push(p),
    });
    expect(result.resumed).toBe(true);
    expect(result.sessions).toBe(30);
    expect(events[0]).toMatchObject({ phase: 'sessions', done: 20 });
    expect(result.verify?.ok).toBe(true);
    const length = await to.storage.messages.length('s-0027');
    expect(length).toBe(await from.storage.messages.length('s-0027'));
  });

  it('copying twice over the same target changes nothing', async () => {
    const { clock, from, to } = setup();
    await seed(from.storage, clock, 9);
    await migrate(from.adapter, to.adapter, { clock });
    const again = await migrate(from.adapter, to.adapter, { clock, verify: true });
    expect(again.verify?.ok).toBe(true);
    expect(await to.storage.messages.length('s-0003')).toBe(4);
  });

  it('refuses targets that cannot write exact copies and bad options', async () => {
    const { clock, from } = setup();
    const { restore: _restore, ...plain } = memoryAdapter().sessions as NonNullable<
      StowageAdapter['sessions']
    >;
    const target: StowageAdapter = { ...memoryAdapter(), sessions: plain };
    await expect(migrate(from.adapter, target, { clock })).rejects.toBeInstanceOf(CapabilityError);
    await expect(migrate(from.adapter, memoryAdapter(), { batchSize: 0 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(migrate(from.adapter, from.adapter)).rejects.toBeInstanceOf(ValidationError);
  });

  it('fails with a CapabilityError when the source cannot read kv expiry', async () => {
    const { clock, from, to } = setup();
    await from.storage.kv.set('a', 1);
    const { getEntries: _entries, ...kv } = from.adapter.kv as NonNullable<StowageAdapter['kv']>;
    const source: StowageAdapter = { ...from.adapter, kv };
    await expect(migrate(source, to.adapter, { clock })).rejects.toBeInstanceOf(CapabilityError);
  });

  it('refuses to resume from an unreadable checkpoint with a CorruptionError', async () => {
    const { clock, from, to } = setup();
    await seed(from.storage, clock, 3);
    await to.adapter.kv?.set(
      { key: CHECKPOINT_KEY, value: '{"position":{"phase":"elsewhere"}}', expiresAt: null },
      { now: clock.now() },
    );
    await expect(migrate(from.adapter, to.adapter, { clock, resume: true })).rejects.toBeInstanceOf(
      CorruptionError,
    );
    // Without resume the copy starts over and replaces the stale checkpoint.
    const result = await migrate(from.adapter, to.adapter, { clock, verify: true });
    expect(result.verify?.ok).toBe(true);
  });
});
