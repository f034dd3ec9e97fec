import { resolve } from 'node:path';
import { ConfigError } from '@stowage/core';
import { ADAPTER } from './errors.js';

/** Options of `fileAdapter`. */
export interface FileAdapterOptions {
  /** Folder that holds the store; created when missing. Required. */
  dir: string;
  /**
   * Subfolder that isolates one app's data from another's in the same `dir` (default
   * `'default'`). Lowercase letters, digits, `-` and `_`, at most 64 characters.
   */
  namespace?: string;
  /**
   * `'fsync'` (default) flushes every write and its folder entry to disk before the call
   * returns, so an acknowledged write survives a power loss. `'none'` leaves flushing to the
   * operating system: faster, still atomic, but the last writes may be lost on power loss.
   */
  durability?: 'fsync' | 'none';
  /**
   * How long a call waits for another process's lock on the same item before failing with
   * `TimeoutError`, in ms (default: the storage's `timeout`, which defaults to 5000).
   */
  lockTimeoutMs?: number;
  /**
   * Age in ms after which a lock is treated as abandoned even if its holder's pid is alive,
   * for example after a reboot reused the pid (default 10,000). Locks of dead processes are
   * taken over at once.
   */
  staleLockMs?: number;
  /** How often expired items are swept in the background, in ms (default 60,000; 0 turns it off). */
  sweepIntervalMs?: number;
}

/** Options after defaults and checks. */
export interface ResolvedFileOptions {
  dir: string;
  namespace: string;
  durable: boolean;
  lockTimeoutMs: number | undefined;
  staleLockMs: number;
  sweepIntervalMs: number;
}

const NAMESPACE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/;

function duration(value: unknown, name: string, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`file adapter option ${name} must be a number of ms >= 0`, {
      adapter: ADAPTER,
    });
  }
  return value;
}

/** Checks options and fills in defaults; bad options are a `ConfigError`. */
export function resolveOptions(options: FileAdapterOptions): ResolvedFileOptions {
  if (typeof options?.dir !== 'string' || options.dir.length === 0) {
    throw new ConfigError('file adapter needs a dir (the folder that holds the store)', {
      adapter: ADAPTER,
    });
  }
  const namespace = options.namespace ?? 'default';
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace) || RESERVED.test(namespace)) {
    throw new ConfigError(
      `file adapter namespace ${JSON.stringify(namespace)} must be 1-64 lowercase letters, digits, '-' or '_' (and not a reserved device name)`,
      { adapter: ADAPTER },
    );
  }
  const durability = options.durability ?? 'fsync';
  if (durability !== 'fsync' && durability !== 'none') {
    throw new ConfigError("file adapter option durability must be 'fsync' or 'none'", {
      adapter: ADAPTER,
    });
  }
  return {
    dir: resolve(options.dir),
    namespace,
    durable: durability === 'fsync',
    lockTimeoutMs: duration(options.lockTimeoutMs, 'lockTimeoutMs', undefined),
    staleLockMs: duration(options.staleLockMs, 'staleLockMs', 10_000) as number,
    sweepIntervalMs: duration(options.sweepIntervalMs, 'sweepIntervalMs', 60_000) as number,
  };
}
