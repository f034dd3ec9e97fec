import type { Encoder } from './encoder.js';
import { ClosedError, ValidationError } from './errors.js';
import { type AdapterRuntime, driverOf } from './runtime.js';
import type { JsonValue } from './types.js';
import { validateId } from './validate.js';

/** Where a pub/sub delivery came from, passed to handlers and to `onError`. */
export interface MessageContext {
  /** The channel the message was published on. */
  channel: string;
}

/** A subscriber's callback. A thrown error or rejected promise goes to `onError`. */
export type MessageHandler<T = JsonValue> = (
  message: T,
  context: MessageContext,
) => void | Promise<void>;

/** Receives errors of subscriber handlers and of decoding delivered messages. */
export type SubscriberErrorHandler = (error: unknown, context: MessageContext) => void;

interface Subscriber {
  handler: MessageHandler<unknown>;
}

interface Channel {
  subscribers: Set<Subscriber>;
  /** The adapter subscription shared by every subscriber of the channel in this storage. */
  ready: Promise<() => Promise<void>>;
}

/**
 * Publish/subscribe over the adapter: one adapter subscription per channel, fanned out to this
 * storage's handlers, each isolated so a failing handler never affects the others.
 */
export class PubSubHub {
  private readonly channels = new Map<string, Channel>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly runtime: AdapterRuntime,
    private readonly encoder: Encoder,
    private readonly onError: SubscriberErrorHandler | undefined,
  ) {}

  /** Sends a JSON message to the channel's current subscribers (at most once each). */
  async publish(channel: string, message: unknown): Promise<void> {
    validateId(channel, 'channel');
    const encoded = this.encoder.encode(message, 'message');
    await this.runtime.run('pubsub.publish', (a, ctx) =>
      driverOf(a, 'pubsub').publish(channel, encoded, ctx),
    );
  }

  /** Starts delivering the channel's messages to `handler`; resolves to its unsubscribe. */
  async subscribe<T>(channel: string, handler: MessageHandler<T>): Promise<() => Promise<void>> {
    validateId(channel, 'channel');
    if (typeof handler !== 'function') throw new ValidationError('handler must be a function');
    if (this.closing) throw new ClosedError('Storage is closed; subscribe was refused');
    const entry = this.channels.get(channel) ?? this.open(channel);
    const subscriber: Subscriber = { handler: handler as MessageHandler<unknown> };
    entry.subscribers.add(subscriber);
    try {
      await entry.ready;
    } catch (error) {
      entry.subscribers.delete(subscriber);
      throw error;
    }
    return async () => {
      if (!entry.subscribers.delete(subscriber)) return;
      if (entry.subscribers.size > 0 || this.closing) return;
      if (this.channels.get(channel) === entry) this.channels.delete(channel);
      const stop = await entry.ready;
      await this.runtime.run('pubsub.unsubscribe', () => stop());
    };
  }

  /** Stops every adapter subscription of this storage. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const open = [...this.channels.entries()];
      this.channels.clear();
      await Promise.all(
        open.map(async ([channel, entry]) => {
          entry.subscribers.clear();
          // A subscription that failed to start was already rejected to its caller.
          const stop = await entry.ready.catch(() => undefined);
          try {
            await stop?.();
          } catch (error) {
            this.report(error, { channel });
          }
        }),
      );
    })();
    return this.closing;
  }

  private open(channel: string): Channel {
    const subscribers = new Set<Subscriber>();
    const entry: Channel = {
      subscribers,
      // The listener serves this entry only: while an old adapter subscription of the channel
      // winds down, its late messages must not reach the handlers of a newer one.
      ready: this.runtime.run('pubsub.subscribe', (a, ctx) =>
        driverOf(a, 'pubsub').subscribe(
          channel,
          (text) => this.deliver(subscribers, channel, text),
          ctx,
        ),
      ),
    };
    entry.ready.catch(() => {
      if (this.channels.get(channel) === entry) this.channels.delete(channel);
    });
    this.channels.set(channel, entry);
    return entry;
  }

  private deliver(subscribers: Set<Subscriber>, channel: string, text: string): void {
    if (subscribers.size === 0) return;
    const context: MessageContext = { channel };
    let message: unknown;
    try {
      message = this.encoder.decode(text, () => `message on channel ${JSON.stringify(channel)}`);
    } catch (error) {
      this.report(error, context);
      return;
    }
    for (const { handler } of [...subscribers]) {
      try {
        const result = handler(message, context);
        if (result instanceof Promise)
          result.catch((error: unknown) => this.report(error, context));
      } catch (error) {
        this.report(error, context);
      }
    }
  }

  private report(error: unknown, context: MessageContext): void {
    if (this.onError) {
      try {
        this.onError(error, context);
        return;
      } catch (hookError) {
        process.emitWarning(`Stowage onError hook threw: ${String(hookError)}`, 'StowageWarning');
      }
    }
    process.emitWarning(
      `Stowage subscriber on channel ${JSON.stringify(context.channel)} failed: ${String(error)}`,
      'StowageWarning',
    );
  }
}
