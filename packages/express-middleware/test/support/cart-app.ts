import { setImmediate as yieldTurn } from 'node:timers/promises';
import type { Storage } from '@stowage/core';
import express, { type Express } from 'express';
import { logIn, logOut, type StowageSessionOptions, stowageSession } from '../../src/index.js';

declare module 'express-session' {
  interface SessionData {
    cart?: string[];
  }
}

/** A secret long enough for stowageSession. */
export const SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

/** Hooks a test can use to hold requests at chosen points. */
export interface CartHooks {
  /** Awaited by `/cart/add` between reading the cart and writing it back. */
  beforeWrite?: () => Promise<void>;
  /** Awaited by `/slow` before it changes the session. */
  slow?: () => Promise<void>;
  /** Called when `/slow` has loaded its session and is about to wait. */
  slowEntered?: () => void;
  /** Called when a request reaches the app, before the session middleware. */
  arrived?: (path: string) => void;
}

/**
 * A small shop: `/start` creates a session with an empty cart, `/cart/add?item=x` reads the cart,
 * yields, and writes it back with one more item (the classic read-modify-write), `/cart` shows
 * it, `/slow` adds an item after a hook, `/login?user=u` and `/logout` do what they say.
 */
export function cartApp(
  storage: Storage,
  hooks: CartHooks = {},
  options: Partial<StowageSessionOptions> = {},
): { app: Express; middleware: ReturnType<typeof stowageSession> } {
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use((req, _res, next) => {
    hooks.arrived?.(req.path);
    next();
  });
  const middleware = stowageSession({ storage, secret: SECRET, ...options });
  app.use(middleware);
  app.post('/start', (req, res) => {
    req.session.cart = [];
    res.json({ ok: true });
  });
  app.post('/cart/add', async (req, res) => {
    const cart = [...(req.session.cart ?? [])];
    await yieldTurn();
    await hooks.beforeWrite?.();
    cart.push(String(req.query.item));
    req.session.cart = cart;
    res.json({ items: cart.length });
  });
  app.all('/cart', (req, res) => {
    res.json({ cart: req.session.cart ?? null });
  });
  app.post('/slow', async (req, res) => {
    hooks.slowEntered?.();
    await hooks.slow?.();
    req.session.cart = [...(req.session.cart ?? []), 'late'];
    res.json({ ok: true });
  });
  app.post('/login', async (req, res) => {
    await logIn(req, String(req.query.user));
    req.session.cart ??= [];
    res.json({ ok: true });
  });
  app.post('/logout', async (req, res) => {
    await logOut(req);
    res.json({ ok: true });
  });
  return { app, middleware };
}

/** The session id inside a `sid=s%3A<id>.<sig>` cookie pair. */
export function sessionIdOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  return value.slice(2, value.lastIndexOf('.'));
}
