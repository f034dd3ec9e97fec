import { createStorage, memoryAdapter, type Storage } from '@stowage/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConcurrencyMode, revokeUserSessions } from '../src/index.js';
import { cartApp, sessionIdOf } from './support/cart-app.js';
import { gate, type Reply, type Running, send, start } from './support/http.js';

/** What the slow request is answered with once the session it loaded has ended. */
const LATE_SAVE_STATUS: Record<ConcurrencyMode, number> = {
  serialize: 200,
  reject: 409,
  'last-write-wins': 200,
};

describe('a slow request that finishes after logout never brings the session back', () => {
  let storage: Storage;
  let running: Running | undefined;

  afterEach(async () => {
    await running?.close();
    running = undefined;
    await storage.close();
  });

  async function shop(mode: ConcurrencyMode) {
    storage = createStorage(memoryAdapter());
    const release = gate();
    const entered = gate();
    const logoutArrived = gate();
    const { app, middleware } = cartApp(
      storage,
      {
        slow: () => release.promise,
        slowEntered: () => entered.open(),
        arrived: (path) => {
          if (path === '/logout') logoutArrived.open();
        },
      },
      { concurrency: mode },
    );
    running = await start(app);
    const url = running.url;
    const login = await send(`${url}/login?user=u1`);
    expect(login.status).toBe(200);
    return { url, cookie: login.cookie as string, release, entered, logoutArrived, middleware };
  }

  for (const mode of ['serialize', 'reject', 'last-write-wins'] as const) {
    it(`${mode}: the session stays gone and the old cookie finds nothing`, async () => {
      const { url, cookie, release, entered, logoutArrived, middleware } = await shop(mode);
      const slow = send(`${url}/slow`, { cookie });
      await entered.promise;
      const logout = send(`${url}/logout`, { cookie });
      await logoutArrived.promise;
      let logoutReply: Reply;
      if (mode === 'serialize') {
        // The logout waits for the slow request's turn to end.
        expect(middleware.store.queuedRequests).toBe(1);
        release.open();
        expect((await slow).status).toBe(LATE_SAVE_STATUS[mode]);
        logoutReply = await logout;
      } else {
        logoutReply = await logout;
        release.open();
        const late = await slow;
        expect(late.status).toBe(LATE_SAVE_STATUS[mode]);
        if (mode === 'reject') expect(late.text).toContain('session ended');
      }
      expect(logoutReply.status).toBe(200);
      expect(await storage.sessions.get(sessionIdOf(cookie))).toBeNull();
      expect(await storage.sessions.count({ state: 'express-session' })).toBe(0);
      const after = await send(`${url}/cart`, { method: 'GET', cookie });
      expect(JSON.parse(after.text)).toEqual({ cart: null });
    });
  }

  it('serialize: revoking a user during a request refuses its late save with 409', async () => {
    const { url, cookie, release, entered } = await shop('serialize');
    const slow = send(`${url}/slow`, { cookie });
    await entered.promise;
    expect(await revokeUserSessions(storage, 'u1')).toBe(1);
    release.open();
    const late = await slow;
    expect(late.status).toBe(409);
    expect(late.setCookies).toEqual([]);
    expect(await storage.sessions.get(sessionIdOf(cookie))).toBeNull();
  });

  it('serialize: a client that hangs up hands the turn on without waiting for its handler', async () => {
    const { url, cookie, release, entered } = await shop('serialize');
    const abort = new AbortController();
    const abandoned = fetch(`${url}/slow`, {
      method: 'POST',
      headers: { cookie },
      signal: abort.signal,
    }).catch((error: unknown) => error);
    await entered.promise;
    abort.abort();
    expect(await abandoned).toMatchObject({ name: 'AbortError' });
    // The slow handler is still waiting on its gate, yet the next request gets its turn.
    const next = await send(`${url}/cart`, { method: 'GET', cookie });
    expect(next.status).toBe(200);
    release.open();
  });
});
