import { randomUUID } from 'node:crypto';
import type { CallContext, PubSubDriver } from '../types.js';

/** Ids per message, so one message stays small on every transport. */
const IDS_PER_MESSAGE = 100;

interface InvalidationMessage {
  from: string;
  ids: string[];
}

/**
 * Tells other instances of a composition which session ids changed, over a pub/sub driver.
 * Messages from this instance are ignored on receipt; malformed ones go to `onError`.
 */
export class InvalidationChannel {
  private readonly instance = randomUUID();
  private stop: (() => Promise<void>) | undefined;

  constructor(
    private readonly pubsub: PubSubDriver,
    private readonly channel: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts delivering other instances' invalidations to `receive`. */
  async listen(receive: (ids: string[]) => Promise<void>, ctx: CallContext): Promise<void> {
    if (this.stop) return;
    this.stop = await this.pubsub.subscribe(
      this.channel,
      (text) => {
        const message = this.parse(text);
        if (!message || message.from === this.instance) return;
        receive(message.ids).catch(this.onError);
      },
      ctx,
    );
  }

  /** Announces that these ids changed. */
  async publish(ids: readonly string[], ctx: CallContext): Promise<void> {
    for (let i = 0; i < ids.length; i += IDS_PER_MESSAGE) {
      const message: InvalidationMessage = {
        from: this.instance,
        ids: ids.slice(i, i + IDS_PER_MESSAGE),
      };
      await this.pubsub.publish(this.channel, JSON.stringify(message), ctx);
    }
  }

  /** Stops listening. Idempotent. */
  async close(): Promise<void> {
    const stop = this.stop;
    this.stop = undefined;
    await stop?.();
  }

  private parse(text: string): InvalidationMessage | undefined {
    try {
      const value = JSON.parse(text) as Partial<InvalidationMessage>;
      if (
        typeof value.from === 'string' &&
        Array.isArray(value.ids) &&
        value.ids.every((id) => typeof id === 'string')
      ) {
        return value as InvalidationMessage;
      }
    } catch (error) {
      this.onError(error);
      return undefined;
    }
    this.onError(new TypeError(`ignored a malformed invalidation on ${this.channel}`));
    return undefined;
  }
}
