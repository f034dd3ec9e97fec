import { ConflictError, createStorage, manualClock } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { encodeId, keyLayout } from '../src/keys.js';
import { dropNamespace, randomNamespace, rawClient, STANDALONE_URL } from './support/backend.js';

// The save script answers a data-only save of a live session before it builds its helpers;
// these cases sit on both sides of that shortcut and must behave as the general code does.
const namespace = randomNamespace('fastsave');
const raw = rawClient('standalone');
const clock = manualClock(Date.UTC(2030, 0, 1));
const storage = createStorage({
  adapter: redisAdapter({ url: STANDALONE_URL, namespace, sweepIntervalMs: 0 }),
  clock,
});
const hashKey = (id: string) => `${keyLayout(namespace).prefix}s:${encodeId(id)}`;

afterAll(async () => {
  await storage.close();
  await dropNamespace(raw, namespace);
  await raw.quit();
});

describe('data-only saves', () => {
  it('bump the version, keep createdAt, expiry and key TTL, and stay listed', async () => {
    const first = await storage.sessions.save(
      { id: 'a', data: { n: 0 }, state: 'open', labels: { user: 'u1' } },
      { ttl: '1h' },
    );
    const ttlBefore = await raw.pttl(hashKey('a'));
    clock.advance(1000);
    const second = await storage.sessions.save({
      id: 'a',
      data: { n: 1 },
      state: 'open',
      labels: { user: 'u1' },
    });
    expect(second).toMatchObject({
      version: 2,
      createdAt: first.createdAt,
      updatedAt: first.createdAt + 1000,
      expiresAt: first.expiresAt,
      maxExpiresAt: null,
    });
    expect(await raw.pttl(hashKey('a'))).toBeLessThanOrEqual(ttlBefore);
    expect(await raw.pttl(hashKey('a'))).toBeGreaterThan(0);
    expect((await storage.sessions.get('a'))?.data).toEqual({ n: 1 });
    const listed = await storage.sessions.list({ state: 'open', labels: { user: 'u1' } });
    expect(listed.items.map((s) => [s.id, s.version])).toEqual([['a', 2]]);
  });

  it('check expectedVersion and report the stored version on a conflict', async () => {
    await storage.sessions.save({ id: 'b', data: 1 });
    await storage.sessions.save({ id: 'b', data: 2 }, { expectedVersion: 1 });
    const error = await storage.sessions
      .save({ id: 'b', data: 3 }, { expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).currentVersion).toBe(2);
    expect((await storage.sessions.get('b'))?.data).toBe(2);
  });

  it('keep a ttl clamped to maxLifetime, and move indexes when state or labels change', async () => {
    const created = await storage.sessions.save(
      { id: 'c', data: 0, state: 'open', labels: { user: 'u2' } },
      { ttl: '10m', maxLifetime: '10m' },
    );
    const clamped = await storage.sessions.save(
      { id: 'c', data: 1, state: 'open', labels: { user: 'u2' } },
      { ttl: '1h' },
    );
    expect(clamped.expiresAt).toBe(created.maxExpiresAt);
    await storage.sessions.save({ id: 'c', data: 2, state: 'closed', labels: { user: 'u3' } });
    expect(await storage.sessions.count({ state: 'open', labels: { user: 'u2' } })).toBe(0);
    expect(await storage.sessions.count({ state: 'closed', labels: { user: 'u3' } })).toBe(1);
  });

  it('never extend an expired session: the save creates a new one at version 1', async () => {
    await storage.sessions.save({ id: 'd', data: 'old' }, { ttl: 1000 });
    await storage.sessions.save({ id: 'd', data: 'old2' });
    clock.advance(1001);
    const fresh = await storage.sessions.save({ id: 'd', data: 'new' });
    expect(fresh).toMatchObject({ version: 1, createdAt: clock.now(), expiresAt: null });
  });
});
