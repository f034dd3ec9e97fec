import { createStorage } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { labelToken, labelTokens } from '../src/keys.js';
import { dropNamespace, randomNamespace, rawClient, STANDALONE_URL } from './support/backend.js';

const namespace = randomNamespace('labelcache');
const raw = rawClient('standalone');
const storage = createStorage({
  adapter: redisAdapter({ url: STANDALONE_URL, namespace, sweepIntervalMs: 0 }),
});

afterAll(async () => {
  await storage.close();
  await dropNamespace(raw, namespace);
  await raw.quit();
});

describe('label tokens', () => {
  it('stay exact after the token cache fills and is cleared', () => {
    // Twice the cache's bound, so entries are remembered, dropped and computed again.
    const wrong: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 9000; i++) {
        const labels = { tenant: `t${i}`, plan: i % 2 === 0 ? 'pro' : 'free' };
        const expected = `;${labelToken('tenant', `t${i}`)};${labelToken('plan', labels.plan)};`;
        if (labelTokens(labels) !== expected) wrong.push(`${round}:${i}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('frame an empty label map and keep a __proto__ label', () => {
    expect(labelTokens({})).toBe(';');
    const labels = JSON.parse('{"__proto__":"x","a":"b"}') as Record<string, string>;
    expect(labelTokens(labels)).toBe(`;${labelToken('__proto__', 'x')};${labelToken('a', 'b')};`);
  });
});

describe('labels read back', () => {
  it('are a fresh object on every read, so changing one never changes the next', async () => {
    await storage.sessions.save({ id: 's1', data: {}, labels: { userId: 'u1' } });
    await storage.sessions.save({ id: 's2', data: {}, labels: { userId: 'u1' } });
    const first = await storage.sessions.get('s1');
    if (!first) throw new Error('s1 is missing');
    first.labels.userId = 'changed';
    (first.labels as Record<string, string>).extra = 'x';
    expect((await storage.sessions.get('s1'))?.labels).toEqual({ userId: 'u1' });
    expect((await storage.sessions.get('s2'))?.labels).toEqual({ userId: 'u1' });
    const page = await storage.sessions.list({ labels: { userId: 'u1' } });
    expect(page.items.map((s) => s.labels)).toEqual([{ userId: 'u1' }, { userId: 'u1' }]);
  });

  it('keep __proto__ as a plain label without touching prototypes', async () => {
    const labels = JSON.parse('{"__proto__":"evil","a":"b"}') as Record<string, string>;
    await storage.sessions.save({ id: 'p1', data: {}, labels });
    for (let i = 0; i < 2; i++) {
      const read = (await storage.sessions.get('p1'))?.labels;
      expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
      expect(Object.hasOwn(read ?? {}, '__proto__')).toBe(true);
      expect(read?.a).toBe('b');
    }
    expect(({} as Record<string, unknown>).evil).toBeUndefined();
  });
});
