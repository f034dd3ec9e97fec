import { describe, expect, it } from 'vitest';
import { createStorage, type KvDriver, memoryAdapter, type StowageAdapter } from '../src/index.js';
import { LatencyHistogram } from '../src/observability/latency-histogram.js';

describe('storage.stats()', () => {
  it('counts operations and errors by operation and by code', async () => {
    const storage = createStorage(memoryAdapter());
    const empty = storage.stats();
    expect(empty.total.count).toBe(0);
    expect(empty.inFlight).toBe(0);
    expect(empty.since).toBeLessThanOrEqual(Date.now());

    await storage.kv.set('a', 1);
    await storage.kv.get('a');
    await storage.kv.get('b');
    await storage.messages.append('missing', ['x']).catch(() => undefined);
    await storage.sessions.save({ id: 's', data: {} });
    await storage.sessions
      .save({ id: 's', data: {} }, { expectedVersion: 0 })
      .catch(() => undefined);

    const stats = storage.stats();
    expect(stats.total.count).toBe(6);
    expect(stats.total.errors).toBe(2);
    expect(stats.operations['kv.get']?.count).toBe(2);
    expect(stats.operations['kv.get']?.errors).toBe(0);
    expect(stats.operations['messages.append']?.errors).toBe(1);
    expect(stats.operations['sessions.save']).toMatchObject({ count: 2, errors: 1 });
    expect(stats.errors).toEqual({ NOT_FOUND: 1, CONFLICT: 1 });
    const latency = stats.operations['kv.get']?.latency;
    expect(latency?.p50).toBeGreaterThan(0);
    expect(latency?.p50).toBeLessThanOrEqual(latency?.p99 ?? 0);
    expect(latency?.p99).toBeLessThanOrEqual(latency?.max ?? 0);
    await storage.close();
  });

  it('counts a value that fails to decode as a failed call', async () => {
    const base = memoryAdapter();
    const kv: KvDriver = { ...(base.kv as KvDriver), get: async () => '{not json' };
    const storage = createStorage({ ...base, kv });
    await expect(storage.kv.get('a')).rejects.toMatchObject({ code: 'CORRUPTION' });
    expect(storage.stats().operations['kv.get']).toMatchObject({ count: 1, errors: 1 });
    expect(storage.stats().errors).toEqual({ CORRUPTION: 1 });
    await storage.close();
  });

  it('counts calls in flight', async () => {
    const base = memoryAdapter();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const kv: KvDriver = { ...(base.kv as KvDriver), get: async () => gate.then(() => undefined) };
    const adapter: StowageAdapter = { ...base, kv };
    const storage = createStorage(adapter);
    const calls = [storage.kv.get('a'), storage.kv.get('b')];
    // The calls register once the adapter has opened; poll for it rather than sleep.
    await expect.poll(() => storage.stats().inFlight).toBe(2);
    release();
    await Promise.all(calls);
    expect(storage.stats().inFlight).toBe(0);
    expect(storage.stats().operations['kv.get']?.count).toBe(2);
    await storage.close();
  });
});

describe('LatencyHistogram', () => {
  it('reports percentiles within one bucket (19 %) of the truth', () => {
    const histogram = new LatencyHistogram();
    // 1..1000 ms: p50 = 500, p90 = 900, p99 = 990.
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    const summary = histogram.summary();
    for (const [value, truth] of [
      [summary.p50, 500],
      [summary.p90, 900],
      [summary.p99, 990],
    ] as const) {
      expect(value).toBeGreaterThanOrEqual(truth);
      expect(value).toBeLessThanOrEqual(truth * 1.19);
    }
    expect(summary.max).toBe(1000);
    expect(summary.mean).toBeCloseTo(500.5, 6);
  });

  it('keeps extreme values: zero, sub-microsecond and beyond the last bucket', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0);
    histogram.record(-5);
    histogram.record(0.0001);
    expect(histogram.summary().p99).toBeLessThanOrEqual(0.001);
    histogram.record(5e7);
    expect(histogram.summary().max).toBe(5e7);
    expect(histogram.summary().p99).toBe(5e7);
  });
});
