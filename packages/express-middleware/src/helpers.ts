import type { Storage } from '@stowage/core';
import type { Request } from 'express';
import { snapshotOf } from './internal.js';
import { StowageStore } from './stowage-store.js';

function promised(run: (done: (error?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((error) => (error ? reject(error) : resolve())));
}

function sessionOf(req: Request): NonNullable<Request['session']> {
  if (!req.session) {
    throw new TypeError('req.session is missing: mount stowageSession() before this route');
  }
  return req.session;
}

/** Options of `rotateSessionId`. */
export interface RotateOptions {
  /** Copy the session's data (not its cookie) into the new session; default true. */
  keepData?: boolean;
}

/**
 * Gives the request's session a new id (against session fixation): the old session is deleted
 * and a new one, carrying the old data and labels unless `keepData` is false, is saved when the
 * response ends. Call it whenever privileges change, above all at login.
 */
export async function rotateSessionId(req: Request, options: RotateOptions = {}): Promise<void> {
  const previous = sessionOf(req);
  const data = JSON.parse(snapshotOf(previous)) as Record<string, unknown>;
  await promised((done) => previous.regenerate(done));
  const next = sessionOf(req);
  if (options.keepData ?? true) Object.assign(next, data);
  if (req.sessionStore instanceof StowageStore) req.sessionStore.carryOver(previous, next);
}

/**
 * Logs a user in: rotates the session id and labels the session `{ userId }`, so that
 * `revokeUserSessions(storage, userId)` can end all of the user's sessions later.
 */
export async function logIn(req: Request, userId: string): Promise<void> {
  const store = req.sessionStore;
  if (!(store instanceof StowageStore)) {
    throw new TypeError('logIn needs a StowageStore session store');
  }
  await rotateSessionId(req);
  store.setLabels(sessionOf(req), { userId });
}

/** Ends the request's session now: it is deleted from the storage and its cookie is not renewed. */
export async function logOut(req: Request): Promise<void> {
  const current = sessionOf(req);
  await promised((done) => current.destroy(done));
}

/**
 * Saves the session now rather than when the response ends. Streaming handlers call it before
 * writing, so a refused save can still change the status code.
 */
export async function saveSession(req: Request): Promise<void> {
  const current = sessionOf(req);
  await promised((done) => current.save(done));
}

/** Options of `revokeUserSessions`. */
export interface RevokeOptions {
  /** The state marking express sessions; default `'express-session'` (the store's default). */
  state?: string;
}

/**
 * Deletes every express session labelled with this user id (for example after a password
 * change) and returns how many there were. Sessions with other states are left alone.
 */
export function revokeUserSessions(
  storage: Storage,
  userId: string,
  options: RevokeOptions = {},
): Promise<number> {
  return storage.sessions.deleteWhere({
    state: options.state ?? 'express-session',
    labels: { userId },
  });
}
