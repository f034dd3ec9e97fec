import { createHash } from 'node:crypto';
import type { AdapterSessionFilter, CallContext, StowageAdapter } from '../types.js';

/** Sessions per batch when copying back, so one round trip stays bounded. */
const BATCH = 100;

/** What a return to the primary copied back. */
export interface ReconcileCounts {
  /** Sessions written to or deleted from the primary. */
  sessions: number;
  /** Kv entries written to or deleted from the primary. */
  kv: number;
  /** `deleteWhere` calls replayed on the primary. */
  deletions: number;
}

/**
 * What was written to the secondary while the primary was away: session ids, kv keys (with
 * the expiry each was last given, which kv reads do not return) and `deleteWhere` filters.
 * `copyBack` makes the primary agree with the secondary for exactly those, so no write made
 * during a failover is lost or undone by stale data on the primary.
 */
export class FailoverLog {
  private sessions = new Set<string>();
  private kv = new Map<string, number | null>();
  private filters: AdapterSessionFilter[] = [];
  /** Everything copied back during the current return, cleared from the secondary at the end. */
  private copied = { sessions: new Set<string>(), kv: new Set<string>() };
  /** Messages of each session already appended to the primary during the current return. */
  private appended = new Map<string, number>();

  /** Records written session ids. */
  sessionsWritten(ids: readonly string[]): void {
    for (const id of ids) this.sessions.add(id);
  }

  /** Records a kv write and the expiry it left (undefined: unchanged from what was recorded). */
  kvWritten(key: string, expiresAt: number | null | undefined): void {
    if (expiresAt !== undefined) this.kv.set(key, expiresAt);
    else if (!this.kv.has(key)) this.kv.set(key, null);
  }

  /** Whether a kv key was written during this failover (so the secondary holds it). */
  hasKv(key: string): boolean {
    return this.kv.has(key) || this.copied.kv.has(key);
  }

  /** Records a `deleteWhere` to replay on the primary. */
  filterDeleted(filter: AdapterSessionFilter): void {
    this.filters.push(filter);
  }

  /** Whether anything is left to copy. */
  get empty(): boolean {
    return this.sessions.size === 0 && this.kv.size === 0 && this.filters.length === 0;
  }

  /**
   * Copies what was recorded so far from the secondary to the primary: replays `deleteWhere`,
   * upserts each recorded session (data, state, labels, expiry; the primary numbers the
   * version) and appends the messages the secondary holds for it, deletes those the secondary
   * no longer has, and sets or deletes each recorded kv entry. On failure the records are kept
   * for the next attempt. `tag` makes message appends idempotent across attempts.
   */
  async copyBack(
    primary: StowageAdapter,
    secondary: StowageAdapter,
    tag: string,
    ctx: CallContext,
    counts: ReconcileCounts,
  ): Promise<void> {
    const filters = this.filters;
    const sessions = [...this.sessions];
    const kv = [...this.kv];
    this.filters = [];
    this.sessions = new Set();
    this.kv = new Map();
    try {
      for (const filter of filters) {
        await primary.sessions?.deleteWhere(filter, ctx);
        counts.deletions++;
      }
      for (let i = 0; i < sessions.length; i += BATCH) {
        await this.copySessions(primary, secondary, sessions.slice(i, i + BATCH), tag, ctx);
        counts.sessions += Math.min(BATCH, sessions.length - i);
      }
      for (const [key, expiresAt] of kv) {
        const value = await secondary.kv?.get(key, ctx);
        if (value === undefined) await primary.kv?.delete(key, ctx);
        else await primary.kv?.set({ key, value, expiresAt }, ctx);
        this.copied.kv.add(key);
        counts.kv++;
      }
    } catch (error) {
      this.filters.unshift(...filters);
      for (const id of sessions) this.sessions.add(id);
      for (const [key, expiresAt] of kv) if (!this.kv.has(key)) this.kv.set(key, expiresAt);
      throw error;
    }
  }

  /**
   * Removes what was copied back from the secondary, so a later failover starts clean. Ids a
   * newer failover has written again stay.
   */
  async clearSecondary(secondary: StowageAdapter, ctx: CallContext): Promise<void> {
    const sessions = [...this.copied.sessions].filter((id) => !this.sessions.has(id));
    const kv = [...this.copied.kv].filter((key) => !this.kv.has(key));
    this.copied = { sessions: new Set(), kv: new Set() };
    this.appended.clear();
    for (let i = 0; i < sessions.length; i += BATCH) {
      await secondary.sessions?.deleteMany(sessions.slice(i, i + BATCH), ctx);
    }
    for (let i = 0; i < kv.length; i += BATCH) {
      await secondary.kv?.deleteMany(kv.slice(i, i + BATCH), ctx);
    }
  }

  private async copySessions(
    primary: StowageAdapter,
    secondary: StowageAdapter,
    ids: string[],
    tag: string,
    ctx: CallContext,
  ): Promise<void> {
    const found = (await secondary.sessions?.getMany(ids, ctx)) ?? [];
    for (const [i, id] of ids.entries()) {
      const s = found[i];
      if (!s) {
        await primary.sessions?.delete(id, undefined, ctx);
      } else {
        await primary.sessions?.save(
          {
            id,
            data: s.data,
            state: s.state,
            labels: s.labels,
            expiresAt: s.expiresAt,
            maxExpiresAt: s.maxExpiresAt,
          },
          ctx,
        );
        const done = this.appended.get(id) ?? 0;
        const messages = (await secondary.messages?.range(id, done, -1, ctx)) ?? [];
        if (messages.length > 0) {
          // The key makes a retried copy (after the primary failed again) append nothing twice.
          const idempotencyKey = createHash('sha256')
            .update(`${tag}\u0000${id}\u0000${done}`)
            .digest('base64url');
          await primary.messages?.append(id, messages, { idempotencyKey }, ctx);
          this.appended.set(id, done + messages.length);
        }
      }
      this.copied.sessions.add(id);
    }
  }
}
