import { createStorage, type Storage } from '@stowage/core';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionUnavailableError } from '../src/index.js';
import { cartApp, sessionIdOf } from './support/cart-app.js';
import { type FlakyAdapter, flakyAdapter } from './support/flaky-adapter.js';
import { type Running, send, start } from './support/http.js';

describe('when the session store is down', () => {
  let adapter: FlakyAdapter;
  let storage: Storage;
  let running: Running | undefined;

  afterEach(async () => {
    await running?.close();
    running = undefined;
    adapter.mode = 'up';
    await storage.close();
  });

  async function shop(options: Parameters<typeof cartApp>[2] = {}, hooks = {}) {
    adapter = flakyAdapter();
    // A tiny deadline turns a hanging backend into a TimeoutError quickly.
    storage = createStorage({ adapter, timeout: 100 });
    const { app, middleware } = cartApp(storage, hooks, options);
    running = await start(app);
    const events: string[] = [];
    middleware.store.on('disconnect', () => events.push('disconnect'));
    middleware.store.on('connect', () => events.push('connect'));
    const cookie = (await send(`${running.url}/start`)).cookie as string;
    return { url: running.url, cookie, events, store: middleware.store };
  }

  it('answers 503 with Retry-After instead of running without the session, then recovers', async () => {
    const { url, cookie, events } = await shop();
    adapter.mode = 'refuse';
    const down = await send(`${url}/cart/add?item=a`, { cookie });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(down.text).toContain('session store is unavailable');
    expect(down.setCookies).toEqual([]);
    expect(events).toEqual(['disconnect']);

    // express-session skips a disconnected store; the middleware still refuses the request.
    const stillDown = await send(`${url}/cart`, { method: 'GET', cookie });
    expect(stillDown.status).toBe(503);
    const newcomer = await send(`${url}/start`);
    expect(newcomer.status).toBe(503);

    adapter.mode = 'hang';
    expect((await send(`${url}/cart`, { method: 'GET', cookie })).status).toBe(503);
    expect(events).toEqual(['disconnect']);

    adapter.mode = 'up';
    const back = await send(`${url}/cart`, { method: 'GET', cookie });
    expect(back.status).toBe(200);
    expect(JSON.parse(back.text)).toEqual({ cart: [] });
    expect(events).toEqual(['disconnect', 'connect']);
  });

  it('answers 503 when the save at the end of the request fails, and stores nothing', async () => {
    const hooks = {
      beforeWrite: async () => {
        adapter.mode = 'hang';
      },
    };
    const { url, cookie, events } = await shop({ concurrency: 'reject' }, hooks);
    const reply = await send(`${url}/cart/add?item=a`, { cookie });
    expect(reply.status).toBe(503);
    expect(reply.setCookies).toEqual([]);
    expect(events).toEqual(['disconnect']);
    adapter.mode = 'up';
    const stored = await storage.sessions.get<{ cart: string[] }>(sessionIdOf(cookie));
    expect(stored?.data.cart).toEqual([]);
  });

  it('uses the configured status and error handler', async () => {
    const seen: unknown[] = [];
    const { url, cookie } = await shop({
      unavailableStatus: 500,
      onError: (error, _req, res) => {
        seen.push(error);
        res.status(error.status ?? 500).json({ error: 'sessions-down' });
      },
    });
    adapter.mode = 'refuse';
    const reply = await send(`${url}/cart`, { method: 'GET', cookie });
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.text)).toEqual({ error: 'sessions-down' });
    expect(seen[0]).toBeInstanceOf(SessionUnavailableError);
  });
});
