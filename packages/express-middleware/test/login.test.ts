import { createStorage, memoryAdapter, type Storage } from '@stowage/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { revokeUserSessions } from '../src/index.js';
import { cartApp, sessionIdOf } from './support/cart-app.js';
import { type Running, send, start } from './support/http.js';

describe('logIn, logOut and revokeUserSessions', () => {
  let storage: Storage;
  let running: Running;

  beforeEach(async () => {
    storage = createStorage(memoryAdapter());
    running = await start(cartApp(storage).app);
  });

  afterEach(async () => {
    await running.close();
    await storage.close();
  });

  const cartOf = async (cookie: string | undefined) =>
    (
      JSON.parse((await send(`${running.url}/cart`, { method: 'GET', cookie })).text) as {
        cart: string[] | null;
      }
    ).cart;

  it('logging in gives the session a new id, keeps its data and labels it with the user', async () => {
    const { cookie: anonymous } = await send(`${running.url}/start`);
    await send(`${running.url}/cart/add?item=book`, { cookie: anonymous });
    const login = await send(`${running.url}/login?user=u1`, { cookie: anonymous });
    expect(login.status).toBe(200);
    const before = sessionIdOf(anonymous as string);
    const after = sessionIdOf(login.cookie as string);
    expect(after).not.toBe(before);
    expect(await storage.sessions.get(before)).toBeNull();
    const stored = await storage.sessions.get(after);
    expect(stored?.labels).toEqual({ userId: 'u1' });
    expect(await cartOf(login.cookie)).toEqual(['book']);
    // The label survives later saves that do not mention it.
    await send(`${running.url}/cart/add?item=pen`, { cookie: login.cookie });
    expect((await storage.sessions.get(after))?.labels).toEqual({ userId: 'u1' });
    // The pre-login cookie is worthless now.
    expect(await cartOf(anonymous)).toBeNull();
  });

  it('logging out deletes the session', async () => {
    const { cookie } = await send(`${running.url}/login?user=u1`);
    expect(await cartOf(cookie)).toEqual([]);
    const out = await send(`${running.url}/logout`, { cookie });
    expect(out.status).toBe(200);
    expect(await storage.sessions.count({})).toBe(0);
    expect(await cartOf(cookie)).toBeNull();
  });

  it("revoking a user ends every one of that user's express sessions and nothing else", async () => {
    const laptop = (await send(`${running.url}/login?user=u1`)).cookie;
    const phone = (await send(`${running.url}/login?user=u1`)).cookie;
    const other = (await send(`${running.url}/login?user=u2`)).cookie;
    // A conversation of the same user, stored by the app beside the web sessions.
    await storage.sessions.save({ id: 'chat-1', data: {}, labels: { userId: 'u1' } });
    expect(await revokeUserSessions(storage, 'u1')).toBe(2);
    expect(await cartOf(laptop)).toBeNull();
    expect(await cartOf(phone)).toBeNull();
    expect(await cartOf(other)).toEqual([]);
    expect(await storage.sessions.get('chat-1')).not.toBeNull();
  });
});
