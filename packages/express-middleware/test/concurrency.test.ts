import { createStorage, memoryAdapter, type Storage } from '@stowage/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConcurrencyMode } from '../src/index.js';
import { type CartHooks, cartApp, sessionIdOf } from './support/cart-app.js';
import { gate, type Running, send, start } from './support/http.js';

const REQUESTS = 20;

describe('twenty concurrent requests adding one item each to the same cart', () => {
  let storage: Storage;
  const servers: Running[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await storage.close();
  });

  async function shop(mode: ConcurrencyMode, hooks: CartHooks = {}) {
    storage = createStorage(memoryAdapter());
    const { app } = cartApp(storage, hooks, { concurrency: mode });
    const running = await start(app);
    servers.push(running);
    const first = await send(`${running.url}/start`);
    expect(first.status).toBe(200);
    return { url: running.url, cookie: first.cookie as string };
  }

  function addAll(url: string, cookie: string) {
    return Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => send(`${url}/cart/add?item=${i}`, { cookie })),
    );
  }

  /** Holds requests between their read and their write until `count` of them have read. */
  function readFirst(count = REQUESTS): CartHooks {
    const enoughRead = gate();
    let reads = 0;
    return {
      beforeWrite: async () => {
        reads++;
        if (reads === count) enoughRead.open();
        await enoughRead.promise;
      },
    };
  }

  /**
   * Holds each request between its read and its write until all twenty have reached the app, so
   * they overlap for sure; serialisation happens after arrival, so this cannot deadlock it.
   */
  function allArrived(): CartHooks {
    const everyoneArrived = gate();
    let arrivals = 0;
    return {
      arrived: (path) => {
        if (path !== '/cart/add') return;
        arrivals++;
        if (arrivals === REQUESTS) everyoneArrived.open();
      },
      beforeWrite: () => everyoneArrived.promise,
    };
  }

  async function cartOf(url: string, cookie: string): Promise<string[]> {
    const reply = await send(`${url}/cart`, { method: 'GET', cookie });
    return (JSON.parse(reply.text) as { cart: string[] }).cart;
  }

  it('serialize keeps all 20 items and answers every request with 200', async () => {
    const { url, cookie } = await shop('serialize', allArrived());
    const replies = await addAll(url, cookie);
    expect(replies.map((r) => r.status)).toEqual(Array(REQUESTS).fill(200));
    const cart = await cartOf(url, cookie);
    expect(cart).toHaveLength(REQUESTS);
    expect(new Set(cart)).toEqual(new Set(Array.from({ length: REQUESTS }, (_, i) => String(i))));
    const stored = await storage.sessions.get(sessionIdOf(cookie));
    expect(stored?.version).toBe(REQUESTS + 1);
  });

  it('reject stores exactly the items of the 200 answers and answers the rest with 409', async () => {
    // Ten requests overlap for sure; the other ten run whenever they get there.
    const { url, cookie } = await shop('reject', readFirst(10));
    const replies = await addAll(url, cookie);
    const ok = replies.filter((r) => r.status === 200).length;
    const conflicts = replies.filter((r) => r.status === 409);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(conflicts.length).toBeGreaterThanOrEqual(9);
    expect(ok + conflicts.length).toBe(REQUESTS);
    expect(conflicts[0]?.text).toContain('changed by another request');
    expect(await cartOf(url, cookie)).toHaveLength(ok);
  });

  it('reject, when all 20 read before any writes, accepts exactly one and refuses nineteen', async () => {
    const { url, cookie } = await shop('reject', readFirst());
    const replies = await addAll(url, cookie);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(REQUESTS - 1);
    expect(await cartOf(url, cookie)).toHaveLength(1);
    // A refused request sends no cookie, so the browser keeps the one it has.
    expect(replies.find((r) => r.status === 409)?.setCookies).toEqual([]);
  });

  it('last-write-wins answers all 20 with 200 and the last save overwrites the others', async () => {
    const { url, cookie } = await shop('last-write-wins', readFirst());
    const replies = await addAll(url, cookie);
    expect(replies.map((r) => r.status)).toEqual(Array(REQUESTS).fill(200));
    // Every request read the empty cart, so whichever saved last leaves one item.
    expect(await cartOf(url, cookie)).toHaveLength(1);
    const stored = await storage.sessions.get(sessionIdOf(cookie));
    expect(stored?.version).toBe(REQUESTS + 1);
  });

  it('serialize also orders two app instances that share only the storage', async () => {
    storage = createStorage(memoryAdapter());
    const hooks = allArrived();
    const first = await start(cartApp(storage, hooks).app);
    const second = await start(cartApp(storage, hooks).app);
    servers.push(first, second);
    const cookie = (await send(`${first.url}/start`)).cookie as string;
    const replies = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        send(`${(i % 2 === 0 ? first : second).url}/cart/add?item=${i}`, { cookie }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(REQUESTS).fill(200));
    expect(await cartOf(first.url, cookie)).toHaveLength(REQUESTS);
    // Every lease was handed back.
    expect((await storage.kv.keys({ prefix: 'express-session:lock:' })).items).toEqual([]);
  });
});
