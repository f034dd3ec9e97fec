import { ConfigError } from '../errors.js';
import type { StowageAdapter } from '../types.js';
import { assertAdapter, requireDriver } from './options.js';
import { compositeName, type Part, partsLifecycle, stampErrors } from './parts.js';

/** Options of `routed`: which adapter serves each kind of data. Every field is optional. */
export interface RoutedOptions {
  /** Serves sessions (and, through the same adapter, their messages). */
  sessions?: StowageAdapter;
  /**
   * Serves messages; must be the `sessions` adapter, because a message log lives and dies with
   * its session on one backend. Default: the `sessions` adapter's messages, when it has them.
   */
  messages?: StowageAdapter;
  /** Serves key-value entries. */
  kv?: StowageAdapter;
  /** Serves job queues. */
  queues?: StowageAdapter;
  /** Serves pub/sub channels. */
  pubsub?: StowageAdapter;
}

const KINDS = ['sessions', 'messages', 'kv', 'queues', 'pubsub'] as const;

/**
 * One adapter made of several: each kind of data on the backend that suits it, for example
 * sessions in SQLite, kv in Redis and queues in PostgreSQL. Messages always stay with
 * sessions (a different `messages` adapter is a `ConfigError`), since appending needs the
 * session and deleting a session removes its messages. Each part is opened, health-checked,
 * swept and closed once even when it serves several kinds. Capabilities are what every part
 * involved offers: `atomicBatch` from the sessions and kv parts, `multiProcess` from all,
 * `persistent` from the parts that store data.
 *
 * @example
 * ```ts
 * const adapter = routed({ sessions: sqliteAdapter({ path: 'app.db' }), kv: redisAdapter({ url }) });
 * ```
 */
export function routed(options: RoutedOptions): StowageAdapter {
  const parts: Part[] = [];
  for (const kind of KINDS) {
    const value = options[kind];
    if (value === undefined) continue;
    const adapter = assertAdapter(value, kind, 'routed');
    requireDriver(adapter, kind, `${kind} adapter`, 'routed');
    parts.push({ role: kind, adapter });
  }
  if (parts.length === 0) {
    throw new ConfigError('routed: give at least one of sessions, messages, kv, queues, pubsub');
  }
  if (options.messages && options.messages !== options.sessions) {
    throw new ConfigError(
      'routed: messages must be the sessions adapter; a message log lives and dies with its session on one backend',
    );
  }
  const name = compositeName('routed', parts);
  const holding = (...kinds: (typeof KINDS)[number][]) =>
    kinds.flatMap((kind) => (options[kind] ? [options[kind] as StowageAdapter] : []));
  const all = (adapters: StowageAdapter[], flag: 'atomicBatch' | 'multiProcess' | 'persistent') =>
    adapters.every((a) => a.capabilities[flag]);
  const lifecycle = partsLifecycle(name, parts);
  const sessions = options.sessions?.sessions;
  const messages = options.sessions?.messages;
  const kv = options.kv?.kv;
  const queues = options.queues?.queues;
  const pubsub = options.pubsub?.pubsub;

  return {
    name,
    capabilities: {
      atomicBatch: all(holding('sessions', 'kv'), 'atomicBatch'),
      multiProcess: all(
        parts.map((p) => p.adapter),
        'multiProcess',
      ),
      persistent: all(holding('sessions', 'kv', 'queues'), 'persistent'),
    },
    ...(sessions ? { sessions: stampErrors(sessions, name) } : {}),
    ...(messages ? { messages: stampErrors(messages, name) } : {}),
    ...(kv ? { kv: stampErrors(kv, name) } : {}),
    ...(queues ? { queues: stampErrors(queues, name) } : {}),
    ...(pubsub ? { pubsub: stampErrors(pubsub, name) } : {}),
    open: (context) => lifecycle.open(context),
    close: () => lifecycle.close(),
    health: () => lifecycle.health(),
    sweep: (limit, ctx) => lifecycle.sweep(limit, ctx),
  };
}
