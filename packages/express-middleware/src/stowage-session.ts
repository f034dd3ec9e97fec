import { randomBytes } from 'node:crypto';
import { ConfigError, type Labels, type Storage, type Ttl } from '@stowage/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session, { type SessionData } from 'express-session';
import { commitBeforeResponse } from './commit.js';
import { ADAPTER_NAME, SessionUnavailableError } from './errors.js';
import { durationOption } from './internal.js';
import { defaultErrorHandler, hasStatus, type SessionErrorHandler } from './respond.js';
import type { SessionRelease } from './session-lock.js';
import { readCookie, unsignSessionId } from './signed-cookie.js';
import type { ConcurrencyMode } from './store-options.js';
import { StowageStore } from './stowage-store.js';

/** Shortest secret accepted, in characters. */
export const MIN_SECRET_LENGTH = 32;

/** Options of `stowageSession()`. */
export interface StowageSessionOptions {
  /** The Stowage storage that holds the sessions. */
  storage: Storage;
  /**
   * Cookie-signing secret of at least 32 characters, or several for rotation: the first signs,
   * all verify. Required.
   */
  secret: string | readonly string[];
  /** Cookie name; default `'sid'` (not express-session's fingerprintable `connect.sid`). */
  name?: string;
  /** Idle timeout: the session ends this long after its last request; default `'30m'`. */
  idleTimeout?: Ttl;
  /** Absolute lifetime from login or creation, never extended by activity; default `'12h'`. */
  absoluteTimeout?: Ttl;
  /** How concurrent requests of one session are handled; default `'serialize'`. */
  concurrency?: ConcurrencyMode;
  /** Extracts filterable labels from the session on every save; default none. */
  labels?: (session: SessionData) => Labels;
  /** State marking express sessions in the storage; default `'express-session'`. */
  state?: string;
  /** With `'serialize'`: how long a request waits for its session's turn; default `'10s'`. */
  lockTimeout?: Ttl;
  /** With `'serialize'`: lifetime of a lease whose holder vanished; default `'30s'`. */
  lockLease?: Ttl;
  /** HTTP status while the storage is unreachable; default 503. */
  unavailableStatus?: number;
  /** Cookie attributes; defaults: path `'/'`, no domain, SameSite `'lax'`, Secure `'auto'`. */
  cookie?: {
    /** Cookie domain; default none (host-only). */
    domain?: string;
    /** Cookie path; default `'/'`. */
    path?: string;
    /** SameSite attribute; default `'lax'`. */
    sameSite?: 'lax' | 'strict' | 'none';
    /** `'auto'` (default): Secure when the request is HTTPS, as Express sees it with `trust proxy`. */
    secure?: boolean | 'auto';
  };
  /** Answers requests whose session could not be loaded or saved; default: status + plain text. */
  onError?: SessionErrorHandler;
}

/** The middleware returned by `stowageSession()`, with the store it created. */
export type StowageSessionMiddleware = RequestHandler & {
  /** The store behind the middleware, for `all`, `length`, `clear` and the helpers. */
  readonly store: StowageStore;
};

function checkSecrets(secret: unknown): string[] {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new ConfigError(
      'stowageSession needs a secret: a string of at least 32 characters, or an array of them',
      { adapter: ADAPTER_NAME },
    );
  }
  for (const [index, value] of secrets.entries()) {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(
        `Secret ${index + 1} is ${typeof value === 'string' ? `${value.length} characters long` : 'not a string'}; ` +
          `use at least ${MIN_SECRET_LENGTH} random characters (for example crypto.randomBytes(32).toString('base64url'))`,
        { adapter: ADAPTER_NAME },
      );
    }
  }
  return secrets as string[];
}

/** A session id of 256 random bits, base64url-encoded. */
export function generateSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * express-session over Stowage with safe defaults: HttpOnly, SameSite=Lax and (for HTTPS
 * requests, honouring Express's `trust proxy`) Secure cookies named `sid`; 256-bit ids; a
 * required strong secret with rotation; a rolling idle timeout plus an absolute lifetime; no
 * empty sessions stored; concurrent requests of a session serialised; a 503 when the store is
 * unreachable, instead of a request that silently runs without its session.
 *
 * @example
 * ```ts
 * app.set('trust proxy', 1); // behind one reverse proxy that terminates TLS
 * app.use(stowageSession({ storage, secret: process.env.SESSION_SECRET ?? '' }));
 * ```
 */
export function stowageSession(options: StowageSessionOptions): StowageSessionMiddleware {
  const secrets = checkSecrets(options.secret);
  const name = options.name ?? 'sid';
  const idleMs = durationOption(options.idleTimeout ?? '30m', 'idleTimeout');
  const store = new StowageStore({
    storage: options.storage,
    concurrency: options.concurrency ?? 'serialize',
    ttl: idleMs,
    maxLifetime: durationOption(options.absoluteTimeout ?? '12h', 'absoluteTimeout'),
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.state === undefined ? {} : { state: options.state }),
    ...(options.lockTimeout === undefined ? {} : { lockTimeout: options.lockTimeout }),
    ...(options.lockLease === undefined ? {} : { lockLease: options.lockLease }),
    ...(options.unavailableStatus === undefined
      ? {}
      : { unavailableStatus: options.unavailableStatus }),
  });
  const onError = options.onError ?? defaultErrorHandler;
  const cookie = options.cookie ?? {};
  const inner = session({
    store,
    secret: secrets,
    name,
    genid: generateSessionId,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'keep',
    cookie: {
      httpOnly: true,
      path: cookie.path ?? '/',
      sameSite: cookie.sameSite ?? 'lax',
      secure: cookie.secure ?? 'auto',
      maxAge: idleMs,
      ...(cookie.domain === undefined ? {} : { domain: cookie.domain }),
    },
  });

  const fail = (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (hasStatus(error) && !res.headersSent) onError(error, req, res);
    else next(error);
  };

  const run = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!store.connected && !(await store.probe())) {
      throw new SessionUnavailableError(store.unavailableStatus, undefined);
    }
    let closed = false;
    let release: SessionRelease | undefined;
    res.once('close', () => {
      closed = true;
      void release?.();
    });
    const cookieValue = readCookie(req.headers.cookie, name);
    const sid = cookieValue === undefined ? undefined : unsignSessionId(cookieValue, secrets);
    if (sid !== undefined) {
      release = await store.lockSession(sid);
      // The client went away while this request waited: give the turn to the next one.
      if (closed) {
        await release();
        return;
      }
    }
    const plainEnd = res.end;
    inner(req, res, (error?: unknown) => {
      if (error) {
        fail(error, req, res, next);
        return;
      }
      if (req.session) {
        store.markFresh(req.session);
        commitBeforeResponse(req, res, store, plainEnd, onError);
      }
      next();
    });
  };

  const middleware: RequestHandler = (req, res, next) => {
    if (req.session) {
      next();
      return;
    }
    run(req, res, next).catch((error: unknown) => fail(error, req, res, next));
  };
  return Object.assign(middleware, { store });
}
