import { createStorage, manualClock } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { encodeId, keyLayout } from '../src/keys.js';
import { dropNamespace, randomNamespace, rawClient, STANDALONE_URL } from './support/backend.js';

const namespace = randomNamespace('expiry');
const { prefix } = keyLayout(namespace);
const raw = rawClient('standalone');
const clock = manualClock();
const storage = createStorage({
  adapter: redisAdapter({ url: STANDALONE_URL, namespace, expiryMarginMs: 60_000 }),
  clock,
});

afterAll(async () => {
  await storage.close();
  await dropNamespace(raw, namespace);
  await raw.quit();
});

describe('expiry housekeeping', () => {
  it('sets a Redis expiry of ttl plus the margin on the session, its messages and kv entries', async () => {
    await storage.sessions.save({ id: 'ttl', data: 1 }, { ttl: '1h' });
    await storage.messages.append('ttl', ['m']);
    await storage.kv.set('ttl', 1, { ttl: '1h' });
    for (const key of [
      `${prefix}s:${encodeId('ttl')}`,
      `${prefix}m:${encodeId('ttl')}`,
      `${prefix}k:${encodeId('ttl')}`,
    ]) {
      const pttl = await raw.pttl(key);
      expect(pttl).toBeGreaterThan(3_600_000);
      expect(pttl).toBeLessThanOrEqual(3_660_000);
    }
    await storage.sessions.save({ id: 'ttl', data: 2 }, { ttl: null });
    expect(await raw.pttl(`${prefix}s:${encodeId('ttl')}`)).toBe(-1);
  });

  it("keeps the message list's Redis expiry on the session's through appends, touch and saves", async () => {
    const list = `${prefix}m:${encodeId('follow')}`;
    const hours = async () => Math.round((await raw.pttl(list)) / 360_000) / 10;
    await storage.sessions.save({ id: 'follow', data: 1 }, { ttl: '1h' });
    await storage.messages.append('follow', ['first']);
    expect(await hours()).toBe(1);
    await storage.sessions.touch('follow', '2h');
    await storage.messages.append('follow', ['second']);
    expect(await hours()).toBe(2);
    await storage.sessions.save({ id: 'follow', data: 2 }, { ttl: null });
    await storage.messages.append('follow', ['third']);
    expect(await raw.pttl(list)).toBe(-1);
    await storage.sessions.save({ id: 'follow', data: 3 }, { ttl: '30m' });
    await storage.messages.append('follow', ['fourth'], { idempotencyKey: 'k4' });
    expect(await hours()).toBe(0.5);
    expect(await storage.messages.range('follow')).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('sweep removes expired sessions with their messages and index entries', async () => {
    await storage.sessions.save({ id: 'gone', data: 1, state: 'old' }, { ttl: '1m' });
    await storage.messages.append('gone', ['m']);
    clock.advance(120_000);
    expect(await storage.sweep()).toBeGreaterThanOrEqual(1);
    expect(
      await raw.exists(`${prefix}s:${encodeId('gone')}`, `${prefix}m:${encodeId('gone')}`),
    ).toBe(0);
    expect(await raw.zcard(`${prefix}ix:t:old`)).toBe(0);
  });

  it('lists and counts correctly after Redis itself reclaimed a session key', async () => {
    await storage.sessions.save({ id: 'kept', data: 1, labels: { g: 'reclaim' } });
    await storage.sessions.save({ id: 'reclaimed', data: 2, labels: { g: 'reclaim' } });
    // What PEXPIRE does once the margin has passed, without waiting for it.
    await raw.del(`${prefix}s:${encodeId('reclaimed')}`);
    expect(await storage.sessions.count({ labels: { g: 'reclaim' } })).toBe(1);
    const page = await storage.sessions.list({ labels: { g: 'reclaim' } });
    expect(page.items.map((s) => s.id)).toEqual(['kept']);
    // The walk dropped the dangling member from the index it walked.
    expect(await raw.zcard(`${prefix}ix:l:${encodeId('g')}=${encodeId('reclaim')}`)).toBe(1);
    // A new session with the reclaimed id starts fresh and is listed once.
    clock.advance(1);
    await storage.sessions.save({ id: 'reclaimed', data: 3, labels: { g: 'reclaim' } });
    const all = await storage.sessions.list({ limit: 1000 });
    expect(all.items.filter((s) => s.id === 'reclaimed')).toHaveLength(1);
  });
});
