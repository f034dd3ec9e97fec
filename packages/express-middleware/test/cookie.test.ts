import {
  ConfigError,
  createStorage,
  manualClock,
  memoryAdapter,
  type Storage,
} from '@stowage/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stowageSession } from '../src/index.js';
import { cartApp, SECRET, sessionIdOf } from './support/cart-app.js';
import { type Running, send, start } from './support/http.js';

/** Attributes of a Set-Cookie line, lower-cased names, `true` for flags. */
function attributes(line: string): Map<string, string | true> {
  const parts = line.split(';').slice(1);
  return new Map(
    parts.map((part) => {
      const [name = '', ...value] = part.trim().split('=');
      return [name.toLowerCase(), value.length > 0 ? value.join('=') : true] as const;
    }),
  );
}

describe('the session cookie', () => {
  let storage: Storage;
  const servers: Running[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await storage.close();
  });

  async function shop(options: Parameters<typeof cartApp>[2] = {}, shared?: Storage) {
    storage = shared ?? createStorage(memoryAdapter());
    const running = await start(cartApp(storage, {}, options).app);
    servers.push(running);
    return running.url;
  }

  it('is named sid, HttpOnly, SameSite=Lax, path /, expires with the idle timeout, not Secure over http', async () => {
    const url = await shop({ idleTimeout: '30m' });
    const reply = await send(`${url}/start`);
    expect(reply.setCookies).toHaveLength(1);
    const line = reply.setCookies[0] as string;
    expect(line.startsWith('sid=s%3A')).toBe(true);
    const attrs = attributes(line);
    expect(attrs.get('httponly')).toBe(true);
    expect(attrs.get('samesite')).toBe('Lax');
    expect(attrs.get('path')).toBe('/');
    expect(attrs.has('secure')).toBe(false);
    const expires = Date.parse(attrs.get('expires') as string);
    expect(expires).toBeGreaterThan(Date.now() + 29 * 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
  });

  it('is Secure when a trusted proxy says the request came over https', async () => {
    const url = await shop();
    const reply = await send(`${url}/start`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(attributes(reply.setCookies[0] as string).get('secure')).toBe(true);
  });

  it('is not Secure when an untrusted client merely claims https', async () => {
    storage = createStorage(memoryAdapter());
    const { app } = cartApp(storage);
    app.set('trust proxy', false);
    const running = await start(app);
    servers.push(running);
    const reply = await send(`${running.url}/start`, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(reply.setCookies).toHaveLength(1);
    expect(attributes(reply.setCookies[0] as string).has('secure')).toBe(false);
  });

  it('carries a 256-bit random id and is renewed on every request (rolling idle timeout)', async () => {
    const url = await shop();
    const first = await send(`${url}/start`);
    const id = sessionIdOf(first.cookie as string);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    const again = await send(`${url}/cart`, { method: 'GET', cookie: first.cookie });
    expect(again.setCookies).toHaveLength(1);
    expect(sessionIdOf(again.cookie as string)).toBe(id);
  });

  it('is not set, and nothing is stored, for a visitor whose session stays empty', async () => {
    const url = await shop();
    const reply = await send(`${url}/cart`, { method: 'GET' });
    expect(reply.status).toBe(200);
    expect(reply.setCookies).toEqual([]);
    expect(await storage.sessions.count({})).toBe(0);
  });

  it('stores the session data without any version or bookkeeping field', async () => {
    const url = await shop();
    const { cookie } = await send(`${url}/start`);
    await send(`${url}/cart/add?item=x`, { cookie });
    const stored = await storage.sessions.get<Record<string, unknown>>(
      sessionIdOf(cookie as string),
    );
    expect(Object.keys(stored?.data ?? {}).sort()).toEqual(['cart', 'cookie']);
    expect(stored?.state).toBe('express-session');
    expect(stored?.version).toBe(2);
  });

  it('is refused when its signature does not verify', async () => {
    const url = await shop();
    const { cookie } = await send(`${url}/start`);
    const forged = `${(cookie as string).slice(0, -3)}abc`;
    const reply = await send(`${url}/cart`, { method: 'GET', cookie: forged });
    expect(JSON.parse(reply.text)).toEqual({ cart: null });
  });
});

describe('secrets', () => {
  const storage = createStorage(memoryAdapter());
  afterAll(() => storage.close());

  it('refuses a missing, empty or short secret with a ConfigError', () => {
    for (const secret of [undefined, '', 'short-secret', [], ['x'.repeat(32), 'too-short']]) {
      expect(() => stowageSession({ storage, secret: secret as unknown as string })).toThrow(
        ConfigError,
      );
    }
    expect(() => stowageSession({ storage, secret: 'x'.repeat(31) })).toThrow(/at least 32/);
    expect(stowageSession({ storage, secret: 'x'.repeat(32) }).store).toBeDefined();
  });

  it('rotate: the first secret signs, every listed secret verifies', async () => {
    const shared = createStorage(memoryAdapter());
    const old = 'old-secret-0123456789-abcdefghijklmnopqrstu';
    const fresh = 'new-secret-0123456789-abcdefghijklmnopqrstu';
    const servers = await Promise.all([
      start(cartApp(shared, {}, { secret: old }).app),
      start(cartApp(shared, {}, { secret: [fresh, old] }).app),
      start(cartApp(shared, {}, { secret: fresh }).app),
    ]);
    const [before, rotating, after] = servers.map((s) => s.url) as [string, string, string];
    try {
      const { cookie: oldCookie } = await send(`${before}/start`);
      await send(`${before}/cart/add?item=kept`, { cookie: oldCookie });
      // Only the old secret signed this cookie: the new-only app does not know it.
      const unknown = await send(`${after}/cart`, { method: 'GET', cookie: oldCookie });
      expect(JSON.parse(unknown.text)).toEqual({ cart: null });
      const rotated = await send(`${rotating}/cart`, { method: 'GET', cookie: oldCookie });
      expect(JSON.parse(rotated.text)).toEqual({ cart: ['kept'] });
      // The renewed cookie is signed with the new secret.
      const renewed = await send(`${after}/cart`, { method: 'GET', cookie: rotated.cookie });
      expect(JSON.parse(renewed.text)).toEqual({ cart: ['kept'] });
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await shared.close();
    }
  });
});

describe('timeouts', () => {
  it('activity extends the idle timeout but never the absolute lifetime', async () => {
    const clock = manualClock();
    const storage = createStorage({ adapter: memoryAdapter(), clock });
    const running = await start(
      cartApp(storage, {}, { secret: SECRET, idleTimeout: '30m', absoluteTimeout: '45m' }).app,
    );
    try {
      const { cookie } = await send(`${running.url}/start`);
      const cart = async () =>
        JSON.parse((await send(`${running.url}/cart`, { method: 'GET', cookie })).text) as {
          cart: string[] | null;
        };
      clock.advance(20 * 60_000);
      expect(await cart()).toEqual({ cart: [] });
      clock.advance(20 * 60_000);
      expect(await cart()).toEqual({ cart: [] });
      clock.advance(6 * 60_000);
      expect(await cart()).toEqual({ cart: null });
    } finally {
      await running.close();
      await storage.close();
    }
  });

  it('a session left idle longer than the idle timeout is gone', async () => {
    const clock = manualClock();
    const storage = createStorage({ adapter: memoryAdapter(), clock });
    const running = await start(cartApp(storage, {}, { idleTimeout: '30m' }).app);
    try {
      const { cookie } = await send(`${running.url}/start`);
      clock.advance(31 * 60_000);
      const reply = await send(`${running.url}/cart`, { method: 'GET', cookie });
      expect(JSON.parse(reply.text)).toEqual({ cart: null });
    } finally {
      await running.close();
      await storage.close();
    }
  });
});
