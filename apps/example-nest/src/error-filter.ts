import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import {
  ConnectionError,
  NotFoundError,
  PayloadTooLargeError,
  StowageError,
  TimeoutError,
  ValidationError,
} from '@stowage/core';
import type { Request, Response } from 'express';

function statusOf(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  if (error instanceof ValidationError) return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof PayloadTooLargeError) return 413;
  if (error instanceof ConnectionError || error instanceof TimeoutError) return 503;
  return 500;
}

function codeOf(error: unknown, status: number): string {
  if (error instanceof StowageError) return error.code;
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 404) return 'NOT_FOUND';
  return status < 500 ? 'BAD_REQUEST' : 'INTERNAL';
}

/**
 * Answers every error as `{ error: { code, message } }` (plain text outside `/api`): Stowage
 * errors by class (validation 400, not found 404, unreachable storage 503), Nest's HTTP
 * exceptions by their status, anything else 500 with the details only in the log.
 */
@Catch()
export class ChatErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Chat');

  /** Writes the answer for `error`. */
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const status = statusOf(error);
    if (status >= 500) this.logger.error(error);
    const message =
      status >= 500 && status !== 503
        ? 'Something went wrong on our side'
        : error instanceof Error
          ? error.message
          : String(error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (status === 503) res.setHeader('Retry-After', '1');
    res.status(status);
    if (req.path.startsWith('/api/')) res.json({ error: { code: codeOf(error, status), message } });
    else res.type('text').send(message);
  }
}
