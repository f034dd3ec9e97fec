import type { Encoder } from './encoder.js';
import { ValidationError } from './errors.js';
import { type AdapterRuntime, driverOf } from './runtime.js';
import type { CallContext, JsonValue, MessageDriver } from './types.js';
import { validateId, validateInteger } from './validate.js';

/** Most messages one `append` call takes. */
export const MAX_APPEND_BATCH = 10_000;

/** Options of `messages.append`. */
export interface AppendOptions {
  /**
   * Makes the append safe to retry: a second append with the same key to the same session
   * appends nothing and returns the current length.
   */
  idempotencyKey?: string;
}

/**
 * Messages: an append-only list per session (conversation history, audit trail). Appending
 * never rewrites the session document; messages are deleted with their session.
 *
 * @example
 * ```ts
 * await storage.messages.append('c1', [{ role: 'user', text: 'hi' }], { idempotencyKey: 'req-42' });
 * const lastTen = await storage.messages.range('c1', -10, -1);
 * ```
 */
export class MessagesApi {
  /** @internal */
  constructor(
    private readonly runtime: AdapterRuntime,
    private readonly encoder: Encoder,
  ) {}

  /**
   * Appends messages to a live session and returns the new number of messages. Appending
   * to a missing or expired session is a `NotFoundError`. Bumps the session's `updatedAt`,
   * not its `version`.
   */
  async append<T = JsonValue>(
    sessionId: string,
    messages: readonly T[],
    options: AppendOptions = {},
  ): Promise<number> {
    validateId(sessionId, 'sessionId');
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new ValidationError('append takes a non-empty array of messages');
    }
    if (messages.length > MAX_APPEND_BATCH) {
      throw new ValidationError(`append takes at most ${MAX_APPEND_BATCH} messages per call`);
    }
    const encoded = messages.map((m, i) => this.encoder.encode(m, `messages[${i}]`));
    const adapterOptions =
      options.idempotencyKey === undefined
        ? {}
        : { idempotencyKey: validateId(options.idempotencyKey, 'idempotencyKey') };
    return this.run('messages.append', (d, ctx) =>
      d.append(sessionId, encoded, adapterOptions, ctx),
    );
  }

  /**
   * Messages from index `start` to `end`, both inclusive. Negative indexes count from the end:
   * `range(id, -20, -1)` is the last twenty. Empty for a missing session.
   */
  async range<T = JsonValue>(sessionId: string, start = 0, end = -1): Promise<T[]> {
    validateId(sessionId, 'sessionId');
    const bounds = { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };
    validateInteger(start, 'start', bounds);
    validateInteger(end, 'end', bounds);
    const describe = () => `message of session ${JSON.stringify(sessionId)}`;
    // Decoding runs inside the call, so a corrupt message counts as a failed call in stats/spans.
    return this.run('messages.range', async (d, ctx) =>
      (await d.range(sessionId, start, end, ctx)).map((text) =>
        this.encoder.decode<T>(text, describe),
      ),
    );
  }

  /** Number of messages of a session; 0 when it does not exist. */
  async length(sessionId: string): Promise<number> {
    validateId(sessionId, 'sessionId');
    return this.run('messages.length', (d, ctx) => d.length(sessionId, ctx));
  }

  /** Removes the oldest messages so at most `keepLast` remain; returns how many were removed. */
  async trim(sessionId: string, options: { keepLast: number }): Promise<number> {
    validateId(sessionId, 'sessionId');
    const keepLast = validateInteger(options?.keepLast, 'keepLast', {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
    });
    return this.run('messages.trim', (d, ctx) => d.trim(sessionId, keepLast, ctx));
  }

  private run<R>(
    op: string,
    fn: (driver: MessageDriver, ctx: CallContext) => Promise<R>,
  ): Promise<R> {
    return this.runtime.run(op, (adapter, ctx) => fn(driverOf(adapter, 'messages'), ctx));
  }
}
