import {
  ConnectionError,
  NotFoundError,
  PayloadTooLargeError,
  StowageError,
  TimeoutError,
  ValidationError,
} from '@stowage/core';
import type { NextFunction, Request, Response } from 'express';
import { currentUser } from './session-user.js';
import { errorPage } from './views.js';

/** How an error is answered: its HTTP status, a stable code and a message safe to show. */
export interface ErrorAnswer {
  /** HTTP status. */
  status: number;
  /** A stable, machine-readable code. */
  code: string;
  /** A message that reveals nothing internal. */
  message: string;
}

function declaredStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}

/**
 * Maps an error to its answer: Stowage errors by class, errors that declare a `status`
 * (body-parser, the session middleware) by that status, anything else to a 500 whose details
 * stay in the log.
 */
export function answerFor(error: unknown): ErrorAnswer {
  const exposed = (error as { expose?: unknown } | null)?.expose === true;
  const status = declaredStatus(error);
  if (status !== undefined && (exposed || status < 500)) {
    const code = error instanceof StowageError ? error.code : 'BAD_REQUEST';
    return { status, code, message: (error as Error).message };
  }
  if (error instanceof ValidationError)
    return { status: 400, code: error.code, message: error.message };
  if (error instanceof NotFoundError)
    return { status: 404, code: error.code, message: error.message };
  if (error instanceof PayloadTooLargeError) {
    return { status: 413, code: error.code, message: 'The message is too large' };
  }
  if (error instanceof ConnectionError || error instanceof TimeoutError) {
    return {
      status: 503,
      code: error.code,
      message: 'The storage is unavailable; try again shortly',
    };
  }
  return { status: 500, code: 'INTERNAL', message: 'Something went wrong on our side' };
}

/**
 * The app's last error handler: JSON under `/api`, an HTML page elsewhere. Server errors are
 * logged with their cause; client errors are not, since they are expected.
 */
export function errorHandler(log: (error: unknown) => void) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const answer = answerFor(error);
    if (answer.status >= 500) log(error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (answer.status === 503) res.setHeader('Retry-After', '1');
    res.status(answer.status);
    if (req.path.startsWith('/api/')) {
      res.json({ error: { code: answer.code, message: answer.message } });
    } else {
      res.type('html').send(errorPage(answer.status, answer.message, currentUser(req)));
    }
  };
}
