import { randomUUID } from 'node:crypto';
import { ClosedError, ConnectionError, type PubSubDriver, TimeoutError } from '@stowage/core';
import type pg from 'pg';
import type { Executor } from './database.js';
import { ADAPTER, toStowageError } from './errors.js';
import { type Envelope, type Listening, notifyChannel, openListenClient } from './listen-client.js';
import { publishNotification, readEnvelope } from './notify-publish.js';
import type { ResolvedOptions } from './options.js';
import { quoteIdent, type TableNames } from './sql.js';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/** One listener; it receives messages only once its subscription's marker has come back. */
interface Entry {
  listener: (message: string) => void;
  armed: boolean;
}

/** The pub/sub side of one adapter instance; `close` ends its listening connection. */
export interface PostgresPubSub {
  driver: PubSubDriver;
  /** Sets the per-call deadline used for the listening connection (from the adapter's open). */
  configure(timeoutMs: number): void;
  close(): Promise<void>;
}

/**
 * Pub/sub over LISTEN/NOTIFY. Every Stowage channel of a namespace shares one hashed LISTEN
 * channel on a dedicated connection (never a pooled one the drivers use), and the Stowage
 * channel rides in the payload. Deliveries go through one promise chain, so a large message
 * read back from its table never overtakes the small ones published after it. When the
 * listening connection drops it is reopened with backoff and LISTEN is issued again.
 */
export function postgresPubSub(
  config: ResolvedOptions,
  db: Executor,
  t: TableNames,
): PostgresPubSub {
  const channelName = notifyChannel(t.scope);
  const listeners = new Map<string, Set<Entry>>();
  const markers = new Map<string, { arm(): void; fail(error: Error): void }>();
  let timeoutMs = 30_000;
  let listening: Promise<Listening> | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let backoff = RECONNECT_MIN_MS;
  let closed = false;
  let chain: Promise<void> = Promise.resolve();

  const report = (error: unknown, what: string): void =>
    config.onBackgroundError(toStowageError(error, what, timeoutMs));

  const deliver = (channel: string, message: string): void => {
    for (const { listener, armed } of [...(listeners.get(channel) ?? [])]) {
      if (!armed) continue;
      try {
        listener(message);
      } catch (error) {
        report(error, 'a pub/sub listener');
      }
    }
  };

  const onNotification = (note: pg.Notification): void => {
    if (note.channel !== channelName || note.payload === undefined) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(note.payload) as Envelope;
    } catch (error) {
      // Someone else's NOTIFY on our channel: report it rather than throw inside pg's emitter.
      report(error, 'pubsub decode');
      return;
    }
    const { c: channel, k: marker } = envelope;
    if (marker !== undefined) {
      // Through the chain, so every message queued before the marker is settled first.
      chain = chain.then(() => markers.get(marker)?.arm());
      return;
    }
    if (channel === undefined || !listeners.has(channel)) return;
    chain = chain
      .then(async () => {
        deliver(channel, await readEnvelope(db, t, envelope));
      })
      .catch((error: unknown) => report(error, 'pubsub delivery'));
  };

  const scheduleReconnect = (): void => {
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (closed || listeners.size === 0) return;
      ensureListening().catch((error: unknown) => {
        report(error, 'pubsub reconnect');
        scheduleReconnect();
      });
    }, backoff);
    reconnectTimer.unref();
    backoff = Math.min(backoff * 2, RECONNECT_MAX_MS);
  };

  const connect = async (): Promise<Listening> => {
    const { client, release } = await openListenClient(config.connection, channelName, timeoutMs);
    // The promise this client belongs to; a newer connection must not be forgotten.
    const attempt = listening;
    let gone = false;
    // 'error' and 'end' usually both fire; only the first may act, or a late 'end' could
    // fail markers that already belong to the next connection.
    const broken = (error?: Error): void => {
      if (gone) return;
      gone = true;
      if (error) report(error, 'the pub/sub listening connection');
      const lost = new ConnectionError('The pub/sub listening connection was lost', {
        adapter: ADAPTER,
        cause: error,
      });
      for (const pending of [...markers.values()]) pending.fail(lost);
      client.removeListener('notification', onNotification);
      if (listening === attempt) listening = undefined;
      if (!closed) scheduleReconnect();
    };
    client.on('error', broken);
    client.on('end', () => broken());
    client.on('notification', onNotification);
    try {
      await client.query(`LISTEN ${quoteIdent(channelName)}`);
    } catch (error) {
      // The LISTEN error is the one the caller needs; a failed release is reported aside.
      await release().catch((releaseError: unknown) => report(releaseError, 'pubsub release'));
      throw error;
    }
    backoff = RECONNECT_MIN_MS;
    return { client, release };
  };

  const ensureListening = (): Promise<Listening> => {
    if (!listening) {
      const opening = connect().catch((error: unknown) => {
        if (listening === opening) listening = undefined;
        throw toStowageError(error, 'pubsub subscribe', timeoutMs);
      });
      listening = opening;
    }
    return listening;
  };

  const driver: PubSubDriver = {
    publish(channel, message, { now }) {
      return publishNotification(db, t, channelName, channel, message, now);
    },

    async subscribe(channel, listener) {
      if (closed) throw new ClosedError('The postgres adapter is closed', { adapter: ADAPTER });
      const entry: Entry = { listener: (message) => listener(message), armed: false };
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(entry);
      const stop = async (): Promise<void> => {
        const current = listeners.get(channel);
        if (!current?.delete(entry)) return;
        if (current.size === 0) listeners.delete(channel);
      };
      try {
        await arm(entry);
      } catch (error) {
        await stop();
        throw error;
      }
      return stop;
    },
  };

  /**
   * Makes `entry` live. A notification published before this call may still be on its way
   * to the listening connection, so the entry stays deaf until a marker this connection
   * notifies itself comes back: the server queues notifications in commit order, so all
   * earlier messages arrive before the marker and all later ones after it.
   */
  const arm = async (entry: Entry): Promise<void> => {
    const { client } = await ensureListening();
    const marker = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const armed = new Promise<void>((resolve, reject) => {
      markers.set(marker, {
        arm() {
          entry.armed = true;
          resolve();
        },
        fail: reject,
      });
      timer = setTimeout(
        () =>
          reject(new TimeoutError('pubsub subscribe timed out', timeoutMs, { adapter: ADAPTER })),
        timeoutMs,
      );
    });
    // Awaited below unless the NOTIFY itself fails, whose error is then the one thrown; this
    // only keeps an early rejection from being reported as unhandled in the meantime.
    armed.catch(() => undefined);
    try {
      await client.query('SELECT pg_notify($1, $2)', [
        channelName,
        JSON.stringify({ k: marker } satisfies Envelope),
      ]);
      await armed;
    } catch (error) {
      throw toStowageError(error, 'pubsub subscribe', timeoutMs);
    } finally {
      clearTimeout(timer);
      markers.delete(marker);
    }
  };

  return {
    driver,
    configure(ms) {
      timeoutMs = ms;
      closed = false;
    },
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      listeners.clear();
      const open = listening;
      listening = undefined;
      if (!open) return;
      const held = await open.catch(() => undefined);
      if (held) {
        held.client.removeListener('notification', onNotification);
        await held.release();
      }
    },
  };
}
