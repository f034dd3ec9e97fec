import type { JsonValue } from '@stowage/core';
import type { BenchDoc } from './types.js';

/** States used by the generated sessions, cycled in order. */
export const STATES = ['active', 'idle', 'archived', 'closed'] as const;
/** Number of distinct tenants: label `tenant` takes values `t0` .. `t49`. */
export const TENANTS = 50;

/** A small deterministic pseudo-random generator (mulberry32), so every run stores the same data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The session document number `n`: about 600 bytes of JSON, like a typical web or agent session
 * (user, cart, preferences), with a state and `tenant`/`plan` labels derived from `n`.
 */
export function makeDoc(prefix: string, n: number): BenchDoc {
  const random = seededRandom(n + 1);
  const items: JsonValue[] = [];
  for (let i = 0; i < 5; i += 1) {
    items.push({ sku: `sku-${Math.floor(random() * 10_000)}`, qty: 1 + Math.floor(random() * 4) });
  }
  return {
    id: `${prefix}-${n}`,
    data: {
      userId: `user-${n}`,
      locale: 'en-GB',
      theme: random() < 0.5 ? 'dark' : 'light',
      cart: items,
      flags: { beta: random() < 0.1, onboarding: Math.floor(random() * 5) },
      note: 'x'.repeat(200 + Math.floor(random() * 100)),
    },
    state: STATES[n % STATES.length] ?? 'active',
    labels: { tenant: `t${n % TENANTS}`, plan: n % 3 === 0 ? 'pro' : 'free' },
  };
}

/** `count` documents numbered from `start`. */
export function makeDocs(prefix: string, count: number, start = 0): BenchDoc[] {
  return Array.from({ length: count }, (_, i) => makeDoc(prefix, start + i));
}

/** Message number `n` of a conversation: about 300 bytes, alternating user and assistant turns. */
export function makeMessage(n: number): JsonValue {
  return {
    role: n % 2 === 0 ? 'user' : 'assistant',
    content: `turn ${n}: ${'lorem ipsum dolor sit amet '.repeat(10)}`,
    tokens: 40 + (n % 17),
  };
}

/**
 * The fixed operation sequence of the mixed workload: `true` for a save, `false` for a get,
 * 20% saves, with the key of each operation, drawn from `keys` sessions.
 */
export function mixedPlan(ops: number, keys: number): { save: boolean; key: number }[] {
  const random = seededRandom(4242);
  return Array.from({ length: ops }, () => ({
    save: random() < 0.2,
    key: Math.floor(random() * keys),
  }));
}
