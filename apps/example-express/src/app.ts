import type { Storage, Ttl } from '@stowage/core';
import { stowageSession } from '@stowage/express-middleware';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { apiRoutes } from './api-routes.js';
import { ChatService, type ChatServiceOptions } from './chat-service.js';
import { errorHandler } from './http-errors.js';
import { pageRoutes } from './page-routes.js';
import { errorPage } from './views.js';

/** Options of `createApp`. */
export interface AppOptions {
  /** Where sessions, conversations and messages live. The caller owns it and closes it. */
  storage: Storage;
  /** Cookie-signing secret, at least 32 characters (or several, the first signing). */
  secret: string | readonly string[];
  /** Idle timeout of a sign-in; default `'30m'`, renewed by every request. */
  idleTimeout?: Ttl;
  /** Express's `trust proxy` setting, for a reverse proxy that terminates TLS; default off. */
  trustProxy?: boolean | number | string;
  /** Conversation settings (TTL, message length, history shown, clock). */
  chat?: ChatServiceOptions;
  /** Receives server errors (5xx); default `console.error`. */
  log?: (error: unknown) => void;
}

// No script runs on these pages; styles are inline; forms post only to this origin.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  // Pages show private conversations: never cache them, so Back after sign-out shows nothing.
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/**
 * Builds the agent-chat Express app over a storage: cookie sessions from `stowageSession()`
 * (HttpOnly, SameSite=Lax, Secure over HTTPS, a new id at sign-in), server-rendered pages and a
 * JSON API under `/api`. The app does not listen; `main.ts` does, and tests hand it to supertest.
 *
 * @example
 * ```ts
 * const app = createApp({ storage: createStorage('sqlite:./chat.db'), secret });
 * app.listen(3000);
 * ```
 */
export function createApp(options: AppOptions): Express {
  const chat = new ChatService(options.storage, options.chat);
  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);

  app.use(securityHeaders);
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(express.json({ limit: '16kb' }));
  app.use(
    stowageSession({
      storage: options.storage,
      secret: options.secret,
      ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
    }),
  );
  app.use('/api', apiRoutes(chat));
  app.use(pageRoutes(chat));
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such endpoint' } });
  });
  app.use((_req, res) => {
    res
      .status(404)
      .type('html')
      .send(errorPage(404, 'There is no page here.', null));
  });
  app.use(errorHandler(options.log ?? ((error) => console.error(error))));
  return app;
}
