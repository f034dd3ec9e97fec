import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createStorage,
  type FallbackSwitch,
  manualClock,
  memoryAdapter,
  type StowageAdapter,
  withFallback,
} from '../../src/index.js';
import { breakable, intercept } from './helpers.js';

function setup() {
  const clock = manualClock(1_000_000);
  const primaryInner = memoryAdapter();
  const secondary = memoryAdapter();
  const primary = breakable(primaryInner);
  const switches: FallbackSwitch[] = [];
  const probeErrors: unknown[] = [];
  const adapter = withFallback(primary.adapter, secondary, {
    probeInterval: '1h',
    onSwitch: (event) => switches.push(event),
    onProbeError: (error) => probeErrors.push(error),
  });
  const storage = createStorage({ adapter, clock });
  const at = () => ({ now: clock.now() });
  return { clock, primary, primaryInner, secondary, adapter, storage, switches, probeErrors, at };
}

describe('withFallback', () => {
  it('switches to the secondary on a ConnectionError and serves the same call there', async () => {
    const { primary, adapter, storage, switches, secondary, at } = setup();
    await storage.sessions.save({ id: 's', data: 'on primary' });
    expect(adapter.active).toBe('primary');
    primary.down = true;
    const saved = await storage.sessions.save({ id: 'n', data: 'during outage' });
    expect(saved.version).toBe(1);
    expect(adapter.active).toBe('secondary');
    expect(switches).toHaveLength(1);
    expect(switches[0]).toMatchObject({ to: 'secondary', reason: { code: 'CONNECTION' } });
    expect((await secondary.sessions?.get('n', at()))?.data).toBe('"during outage"');
    // The secondary starts empty: data only the primary holds reads as missing.
    expect(await storage.sessions.get('s')).toBeNull();
    const report = await storage.health();
    expect(report.ok).toBe(true);
    expect(report.details.active).toBe('secondary');
    await storage.close();
  });

  it('does not switch on errors that are not outages', async () => {
    const { adapter, storage, switches } = setup();
    await storage.sessions.save({ id: 's', data: 1 });
    await expect(
      storage.sessions.save({ id: 's', data: 2 }, { expectedVersion: 9 }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(adapter.active).toBe('primary');
    expect(switches).toHaveLength(0);
    await storage.close();
  });

  it('stays on the secondary while the probe fails', async () => {
    const { primary, adapter, storage, probeErrors } = setup();
    primary.down = true;
    await storage.kv.set('k', 1);
    expect(await adapter.probe()).toBe('secondary');
    expect(probeErrors).toHaveLength(1);
    expect(adapter.active).toBe('secondary');
    await storage.close();
  });

  it('copies every write made during the failover back before returning to the primary', async () => {
    const { primary, primaryInner, adapter, storage, switches, secondary, clock, at } = setup();
    await storage.sessions.save({ id: 'kept', data: 'old', labels: { user: 'u' } });
    await storage.sessions.save({ id: 'gone', data: 'x' });
    await storage.sessions.save({ id: 'revoked', data: 'x', labels: { user: 'r' } });
    await storage.kv.set('deleted', 1);
    primary.down = true;
    await storage.sessions.save({ id: 'kept', data: 'new' }, { ttl: '1h' });
    await storage.messages.append('kept', ['during']);
    await storage.sessions.delete('gone');
    await storage.sessions.deleteWhere({ labels: { user: 'r' } });
    await storage.kv.set('k', { v: 1 }, { ttl: '10m' });
    await storage.kv.increment('counter', 5);
    await storage.kv.delete('deleted');
    expect(adapter.active).toBe('secondary');

    primary.down = false;
    expect(await adapter.probe()).toBe('primary');
    expect(switches.at(-1)).toMatchObject({
      to: 'primary',
      reconciled: { sessions: 2, kv: 3, deletions: 1 },
    });
    const kept = await primaryInner.sessions?.get('kept', at());
    expect(kept).toMatchObject({ data: '"new"', version: 2, expiresAt: clock.now() + 3_600_000 });
    expect(await primaryInner.messages?.range('kept', 0, -1, at())).toEqual(['"during"']);
    expect(await primaryInner.sessions?.get('gone', at())).toBeNull();
    expect(await primaryInner.sessions?.get('revoked', at())).toBeNull();
    expect(await primaryInner.kv?.get('k', at())).toBe('{"v":1}');
    expect(await primaryInner.kv?.get('counter', at())).toBe('5');
    expect(await primaryInner.kv?.get('deleted', at())).toBeUndefined();
    // The kv entry kept the expiry it was written with on the secondary.
    clock.advance(600_000);
    expect(await storage.kv.get('k')).toBeUndefined();
    // The secondary was emptied so a later failover starts clean.
    expect(await secondary.sessions?.get('kept', at())).toBeNull();
    expect(await secondary.kv?.get('counter', at())).toBeUndefined();
    expect((await storage.sessions.get('kept'))?.data).toBe('new');
    await storage.close();
  });

  it('opens on the secondary when the primary is down at start', async () => {
    const { primary, adapter, storage } = setup();
    primary.down = true;
    await storage.kv.set('k', 1);
    expect(adapter.active).toBe('secondary');
    primary.down = false;
    expect(await adapter.probe()).toBe('primary');
    expect(await storage.kv.get('k')).toBe(1);
    await storage.close();
  });

  it('offers only sessions, messages and kv, with the flags both sides share', () => {
    const shared: StowageAdapter = {
      ...memoryAdapter(),
      capabilities: { atomicBatch: true, multiProcess: true, persistent: true },
    };
    const adapter = withFallback(shared, memoryAdapter());
    expect(adapter.queues).toBeUndefined();
    expect(adapter.pubsub).toBeUndefined();
    expect(adapter.capabilities).toEqual({
      atomicBatch: true,
      multiProcess: false,
      persistent: false,
    });
    const { health: _h, ...noHealth } = memoryAdapter();
    expect(() => withFallback(noHealth, memoryAdapter())).toThrow(ConfigError);
    expect(() => withFallback(memoryAdapter(), memoryAdapter(), { probeInterval: 0 })).toThrow(
      ConfigError,
    );
  });

  it('treats a primary that stops answering as an outage within primaryTimeout', async () => {
    const inner = memoryAdapter();
    const state = { hung: false };
    const never = new Promise<never>(() => {});
    const primary: StowageAdapter = {
      ...inner,
      sessions: intercept(inner.sessions as NonNullable<StowageAdapter['sessions']>, () =>
        state.hung ? never : undefined,
      ),
    };
    const adapter = withFallback(primary, memoryAdapter(), {
      primaryTimeout: 20,
      probeInterval: '1h',
    });
    const storage = createStorage({ adapter, timeout: '10s' });
    await storage.sessions.save({ id: 's', data: 1 });
    state.hung = true;
    await expect(storage.sessions.save({ id: 't', data: 2 })).resolves.toMatchObject({
      version: 1,
    });
    expect(adapter.active).toBe('secondary');
    await storage.close();
  });
});
