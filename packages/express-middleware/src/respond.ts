import type { Request, Response } from 'express';

/** An error that carries the HTTP status a request should be answered with. */
export interface HttpError extends Error {
  /** HTTP status code. */
  status?: number;
  /** Whether the message may be shown to the client. */
  expose?: boolean;
}

/** Answers a request whose session could not be loaded or saved. */
export type SessionErrorHandler = (error: HttpError, req: Request, res: Response) => void;

// Headers that describe the body the handler meant to send, which the error reply replaces.
const ENTITY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-disposition',
  'content-language',
  'content-range',
  'etag',
  'last-modified',
  'location',
];

/**
 * The default `onError`: answers with the error's `status` (500 when it has none), a
 * `Retry-After: 1` header on 503, `Cache-Control: no-store`, and the message as plain text when
 * the error says it may be shown.
 */
export const defaultErrorHandler: SessionErrorHandler = (error, _req, res) => {
  const status = typeof error.status === 'number' ? error.status : 500;
  for (const name of ENTITY_HEADERS) res.removeHeader(name);
  res.statusCode = status;
  if (status === 503) res.setHeader('Retry-After', '1');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(error.expose === true ? error.message : 'Internal Server Error');
};

/** Whether an error carries an HTTP status to answer with. */
export function hasStatus(error: unknown): error is HttpError {
  return error instanceof Error && typeof (error as HttpError).status === 'number';
}
