import type { Request, Response } from 'express';
import type { Session, SessionData } from 'express-session';
import type { SessionErrorHandler } from './respond.js';
import type { StowageStore } from './stowage-store.js';

type End = Response['end'];

function promised(run: (done: (error?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((error) => (error ? reject(error) : resolve())));
}

/**
 * Saves (or touches) the session before the response goes out, so that a refused save still
 * changes the answer: express-session on its own saves after the status line has been sent,
 * when a failure can only cut the connection.
 */
async function commit(req: Request, store: StowageStore): Promise<void> {
  const session = req.session as Session & Partial<SessionData>;
  // Restart the idle timeout, as express-session does when a response ends.
  session.touch();
  if (store.isModified(session)) {
    await promised((done) => session.save(done));
  } else if (store.isStored(session)) {
    await promised((done) => store.touch(session.id, session as SessionData, done));
  }
}

/**
 * Wraps `res.end` (on top of express-session's wrapper) so the session is committed before the
 * headers are written. Responses already streaming when they end fall back to express-session's
 * own save after the headers; handlers that stream should call `saveSession(req)` first.
 */
export function commitBeforeResponse(
  req: Request,
  res: Response,
  store: StowageStore,
  plainEnd: End,
  onError: SessionErrorHandler,
): void {
  const sessionEnd = res.end;
  let committing = false;
  res.end = function end(this: Response, ...args: Parameters<End>) {
    if (committing || !req.session || res.headersSent) {
      return sessionEnd.apply(this, args) as Response;
    }
    committing = true;
    commit(req, store).then(
      () => {
        plainEnd.apply(res, args);
      },
      (error: Error) => {
        // No session means no cookie and no second save attempt by express-session.
        delete (req as { session?: unknown }).session;
        onError(error, req, res);
      },
    );
    return this;
  } as End;
}
