import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Storage } from '@stowage/core';
import { SessionLockTimeoutError } from './errors.js';
import { KeyedMutex } from './keyed-mutex.js';

/**
 * Ends a session's turn. The promise settles once the shared lease is handed back (a failure to
 * do so is reported to `onReleaseError`, never thrown); calling it again does nothing more.
 */
export type SessionRelease = () => Promise<void>;

/** Settings of a `SessionLock`. */
export interface SessionLockSettings {
  /** Storage whose kv holds the shared leases. */
  storage: Storage;
  /** Prefix of lease keys. */
  keyPrefix: string;
  /** How long a request may wait for its turn, in ms. */
  timeoutMs: number;
  /** How long a lease lives if its holder never releases it (a crashed process), in ms. */
  leaseMs: number;
  /** Told about a lease that could not be released; it then expires after `leaseMs`. */
  onReleaseError: (error: unknown) => void;
}

/** Longest pause between two attempts at a busy shared lease. */
const MAX_POLL_MS = 50;

/**
 * Makes the requests of one session id take turns. Inside one process, requests queue in
 * arrival order on an in-memory mutex, so only the head of the queue touches the backend. Across
 * processes, the head then takes a lease in the storage's kv (`setIfAbsent` with a random token
 * and a TTL) and polls, with jittered backoff, while another process holds it.
 *
 * The lease is a courtesy, not a fence: if a holder outlives `leaseMs`, another process may enter.
 * Saves stay safe anyway because each one is conditional on the version its request loaded.
 */
export class SessionLock {
  private readonly local = new KeyedMutex();

  constructor(private readonly settings: SessionLockSettings) {}

  /** Requests currently queued in this process. */
  get pending(): number {
    return this.local.pending;
  }

  /** Waits for the session's turn; rejects with `SessionLockTimeoutError` after `timeoutMs`. */
  async acquire(sessionId: string): Promise<SessionRelease> {
    const { timeoutMs } = this.settings;
    const deadline = performance.now() + timeoutMs;
    const releaseLocal = await this.local.acquire(
      sessionId,
      timeoutMs,
      () => new SessionLockTimeoutError(timeoutMs),
    );
    let releaseShared: () => Promise<void>;
    try {
      releaseShared = await this.lease(sessionId, deadline);
    } catch (error) {
      releaseLocal();
      throw error;
    }
    let released: Promise<void> | undefined;
    return () => {
      released ??= releaseShared()
        .catch((error: unknown) => this.settings.onReleaseError(error))
        .finally(releaseLocal);
      return released;
    };
  }

  private async lease(sessionId: string, deadline: number): Promise<() => Promise<void>> {
    const { storage, keyPrefix, leaseMs, timeoutMs } = this.settings;
    const key = `${keyPrefix}${sessionId}`;
    const token = randomUUID();
    for (let attempt = 0; ; attempt++) {
      if (await storage.kv.setIfAbsent(key, token, { ttl: leaseMs })) {
        return async () => {
          // kv has no compare-and-delete; the check keeps a late release from freeing a lease
          // that expired and now belongs to another process (bar a window of one round trip).
          if ((await storage.kv.get<string>(key)) === token) await storage.kv.delete(key);
        };
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new SessionLockTimeoutError(timeoutMs);
      const cap = Math.min(MAX_POLL_MS, 2 * 2 ** attempt);
      await delay(Math.min(remaining, 1 + Math.random() * cap));
    }
  }
}
