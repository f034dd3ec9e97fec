import { logIn } from '@stowage/express-middleware';
import type { NextFunction, Request, Response } from 'express';
import type { ChatUser } from './chat-service.js';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in visitor; absent before sign-in. */
    user: ChatUser;
  }
}

/** The signed-in user of the request, or null. */
export function currentUser(req: Request): ChatUser | null {
  return req.session?.user ?? null;
}

/** Signs the user in: a new session id (against session fixation) labelled `{ userId }`. */
export async function signIn(req: Request, user: ChatUser): Promise<void> {
  await logIn(req, user.id);
  req.session.user = user;
}

/** The signed-in user of a request that passed `requireUser`. */
export function userOf(res: Response): ChatUser {
  return res.locals.user as ChatUser;
}

/**
 * Lets only signed-in visitors through, putting the user in `res.locals.user`; others are
 * answered by `onAnonymous` (a redirect for pages, a 401 for the JSON API).
 */
export function requireUser(onAnonymous: (req: Request, res: Response) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const user = currentUser(req);
    if (!user) {
      onAnonymous(req, res);
      return;
    }
    res.locals.user = user;
    next();
  };
}
