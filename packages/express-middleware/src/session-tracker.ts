import type { Labels } from '@stowage/core';
import { snapshotOf } from './internal.js';

/** What the store knows about one in-memory session object. */
export interface TrackedSession {
  /** Version the request loaded or last saved; 0 for a session not stored yet. */
  version: number;
  /** Labels the next save writes (before the `labels` option's are merged in). */
  labels: Labels;
  /** Content when loaded or last saved; undefined when it must be saved regardless. */
  snapshot: string | undefined;
}

/**
 * Remembers, per session object, the version it was loaded at, its labels and its content at
 * that moment. Keys are the objects themselves (held weakly), so nothing leaks into the stored
 * data or the cookie and nothing outlives the request.
 */
export class SessionTracker {
  private readonly known = new WeakMap<object, TrackedSession>();

  /** What is known about a session object, if anything. */
  get(session: object): TrackedSession | undefined {
    return this.known.get(session);
  }

  /** Records a session object as loaded (or saved) at `version` with `labels`. */
  record(session: object, version: number, labels: Labels, snapshot: string | undefined): void {
    this.known.set(session, { version, labels, snapshot });
  }

  /** Moves what is known about the raw loaded data to the session object built from it. */
  adopt(raw: object, session: object): void {
    const loaded = this.known.get(raw);
    if (loaded) this.known.set(session, { ...loaded, snapshot: snapshotOf(session) });
  }

  /** Whether a session object differs from what was loaded or last saved (the cookie aside). */
  isModified(session: object): boolean {
    const tracked = this.known.get(session);
    return tracked?.snapshot === undefined || tracked.snapshot !== snapshotOf(session);
  }

  /** Whether the session object was loaded from (or already saved to) the storage. */
  isStored(session: object): boolean {
    return (this.known.get(session)?.version ?? 0) > 0;
  }

  /** Records a freshly generated session's content, so it is saved only once it changes. */
  markFresh(session: object): void {
    if (!this.known.has(session)) this.record(session, 0, {}, snapshotOf(session));
  }

  /** Adds labels to what the session's next save writes. */
  addLabels(session: object, labels: Labels): void {
    const tracked = this.known.get(session) ?? { version: 0, labels: {}, snapshot: undefined };
    this.known.set(session, { ...tracked, labels: { ...tracked.labels, ...labels } });
  }

  /** Gives a regenerated session the labels of the one it replaces; it saves as a new session. */
  carryOver(from: object, to: object): void {
    this.record(to, 0, { ...this.known.get(from)?.labels }, undefined);
  }
}
