import { ConfigError, type Labels, type Storage, type Ttl } from '@stowage/core';
import type { SessionData } from 'express-session';
import { ADAPTER_NAME } from './errors.js';
import { durationOption } from './internal.js';

/**
 * How concurrent requests of one session are kept from losing each other's updates:
 * `'serialize'` makes them take turns, `'reject'` answers a stale writer with 409, and
 * `'last-write-wins'` lets the last save overwrite earlier ones (the classic behaviour).
 */
export type ConcurrencyMode = 'serialize' | 'reject' | 'last-write-wins';

/** Options of `new StowageStore(...)`. */
export interface StowageStoreOptions {
  /** The Stowage storage that holds the sessions (and, with `'serialize'`, the lock leases). */
  storage: Storage;
  /** How concurrent requests of one session are handled; default `'serialize'`. */
  concurrency?: ConcurrencyMode;
  /** Time to live of a session whose cookie has no expiry; default `'1d'`. */
  ttl?: Ttl;
  /** Absolute lifetime from creation that no save or touch extends; default none. */
  maxLifetime?: Ttl;
  /** State marking express sessions, so `all`, `length` and `clear` see only them; default `'express-session'`. */
  state?: string;
  /** Extracts filterable labels (such as `{ userId }`) from the session on every save; default none. */
  labels?: (session: SessionData) => Labels;
  /** With `'serialize'`: how long a request waits for its session's turn; default `'10s'`. */
  lockTimeout?: Ttl;
  /** With `'serialize'`: lifetime of a cross-process lease whose holder vanished; default `'30s'`. */
  lockLease?: Ttl;
  /** With `'serialize'`: kv key prefix of the leases; default `'express-session:lock:'`. */
  lockPrefix?: string;
  /** HTTP status given to requests while the storage is unreachable; default 503. */
  unavailableStatus?: number;
}

const MODES: readonly ConcurrencyMode[] = ['serialize', 'reject', 'last-write-wins'];

/** Store options after validation, with every default filled in. */
export interface ResolvedStoreOptions {
  storage: Storage;
  concurrency: ConcurrencyMode;
  state: string;
  unavailableStatus: number;
  ttlMs: number;
  maxLifetimeMs: number | undefined;
  labels: ((session: SessionData) => Labels) | undefined;
  /** Lock settings, with `'serialize'` only. */
  lock: { keyPrefix: string; timeoutMs: number; leaseMs: number } | undefined;
}

function invalid(message: string): ConfigError {
  return new ConfigError(message, { adapter: ADAPTER_NAME });
}

/** Validates `StowageStore` options and fills in defaults; a bad option is a `ConfigError`. */
export function resolveStoreOptions(options: StowageStoreOptions): ResolvedStoreOptions {
  if (typeof options !== 'object' || options === null || !options.storage) {
    throw invalid('StowageStore needs options.storage (a Stowage Storage)');
  }
  const concurrency = options.concurrency ?? 'serialize';
  if (!MODES.includes(concurrency)) {
    throw invalid(`Invalid option concurrency: use one of ${MODES.join(', ')}`);
  }
  const status = options.unavailableStatus ?? 503;
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw invalid('Invalid option unavailableStatus: use an HTTP error status (400-599)');
  }
  if (options.labels !== undefined && typeof options.labels !== 'function') {
    throw invalid('Invalid option labels: use a function of the session');
  }
  return {
    storage: options.storage,
    concurrency,
    state: options.state ?? 'express-session',
    unavailableStatus: status,
    ttlMs: durationOption(options.ttl ?? '1d', 'ttl'),
    maxLifetimeMs:
      options.maxLifetime === undefined
        ? undefined
        : durationOption(options.maxLifetime, 'maxLifetime'),
    labels: options.labels,
    lock:
      concurrency === 'serialize'
        ? {
            keyPrefix: options.lockPrefix ?? 'express-session:lock:',
            timeoutMs: durationOption(options.lockTimeout ?? '10s', 'lockTimeout'),
            leaseMs: durationOption(options.lockLease ?? '30s', 'lockLease'),
          }
        : undefined,
  };
}
