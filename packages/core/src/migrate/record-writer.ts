import { CapabilityError, isStowageError, ValidationError } from '../errors.js';
import type {
  Clock,
  KvDriver,
  KvWrite,
  MessageDriver,
  SessionDriver,
  StoredSession,
  StowageAdapter,
} from '../types.js';
import { COPY_CONCURRENCY, type MigrationRecord, type PageStart } from './records.js';
import { validateKvEntry, validateMessageTexts } from './stored-session.js';

/** What a writer has written so far. */
export interface WriteCounts {
  /** Sessions restored. */
  sessions: number;
  /** Messages appended. */
  messages: number;
  /** Kv entries written. */
  kv: number;
  /** Sessions that expired on the target before their messages were copied (left out). */
  expired: number;
}

type Restore = NonNullable<SessionDriver['restore']>;

/** A session whose messages are being copied. */
interface Copying {
  session: StoredSession;
  /** The session's chunks, appended one after another. */
  chain: Promise<void>;
  /** Whether any message was appended (so `updatedAt` must be restored again). */
  touched: boolean;
  /** The copy expired on the target; its remaining chunks are dropped. */
  skip: boolean;
}

function required<T>(driver: T | undefined, adapter: StowageAdapter, what: string): T {
  if (!driver) {
    throw new CapabilityError(`The ${adapter.name} adapter does not ${what}`, {
      adapter: adapter.name,
    });
  }
  return driver;
}

/**
 * Writes a record stream to a target exactly. Sessions are restored in batches (a whole page at
 * once when the stream announces it); a session with messages is restored before they are
 * appended (append needs a live session) and once more after, because appending moves
 * `updatedAt`. The first chunk of a session's messages (offset 0) clears any messages the target
 * held for it, so a rerun never duplicates them. Chunks of one session are appended in order;
 * several sessions' chunks are in flight at once. Memory stays bounded by the batch size.
 */
export class RecordWriter {
  /** What has been written. */
  readonly counts: WriteCounts = { sessions: 0, messages: 0, kv: 0, expired: 0 };
  private pending: StoredSession[] = [];
  /** Ids of the page announced last, already restored. */
  private page = new Set<string>();
  private copies: Copying[] = [];
  private inFlight: Promise<void>[] = [];
  private current: Copying | undefined;
  private kvPending: KvWrite[] = [];

  constructor(
    private readonly adapter: StowageAdapter,
    private readonly clock: Clock,
    private readonly batchSize: number,
  ) {}

  /** Writes one record (buffered; `flush` makes everything so far durable). */
  async write(record: MigrationRecord | PageStart): Promise<void> {
    if (record.kind === 'page') {
      await this.restore(record.sessions);
      this.page = new Set(record.sessions.map((s) => s.id));
    } else if (record.kind === 'session') {
      this.current = {
        session: record.session,
        chain: Promise.resolve(),
        touched: false,
        skip: false,
      };
      this.counts.sessions++;
      if (!this.page.has(record.session.id)) this.pending.push(record.session);
      if (this.pending.length + this.copies.length >= this.batchSize) await this.flushSessions();
    } else if (record.kind === 'messages') {
      await this.writeMessages(record.id, record.offset, record.items);
    } else if (record.kind === 'kv') {
      validateKvEntry(record.entry);
      this.kvPending.push(record.entry);
      if (this.kvPending.length >= this.batchSize) await this.flushKv();
    } else {
      const kind = (record as { kind?: unknown }).kind;
      throw new ValidationError(`Unknown migration record kind ${JSON.stringify(kind)}`);
    }
  }

  /** Writes everything buffered and waits for every message copy. */
  async flush(): Promise<void> {
    await this.flushSessions();
    await this.flushKv();
  }

  private async writeMessages(id: string, offset: number, items: string[]): Promise<void> {
    const copy = this.current;
    if (!copy || copy.session.id !== id) {
      throw new ValidationError(
        `messages of ${JSON.stringify(id)} do not follow their session in the record stream`,
      );
    }
    validateMessageTexts(items, offset, id);
    if (items.length === 0) return;
    const messages = required(this.adapter.messages, this.adapter, 'store messages');
    if (this.pending.includes(copy.session)) await this.restorePending();
    if (!this.copies.includes(copy)) this.copies.push(copy);
    copy.chain = copy.chain.then(() => this.append(messages, copy, offset, items));
    const step = copy.chain;
    // Awaited later (window full or flush); this keeps a failure from counting as unhandled.
    step.catch(() => undefined);
    this.inFlight.push(step);
    if (this.inFlight.length >= COPY_CONCURRENCY) await this.inFlight.shift();
  }

  private async append(
    messages: MessageDriver,
    copy: Copying,
    offset: number,
    items: string[],
  ): Promise<void> {
    if (copy.skip) return;
    const id = copy.session.id;
    try {
      if (offset === 0) await messages.trim(id, 0, { now: this.clock.now() });
      await messages.append(id, items, {}, { now: this.clock.now() });
    } catch (error) {
      // The copy's own expiry passed while it was being written: it is gone on both sides.
      if (!isStowageError(error, 'NOT_FOUND')) throw error;
      copy.skip = true;
      this.counts.expired++;
      return;
    }
    copy.touched = true;
    this.counts.messages += items.length;
  }

  private async restore(sessions: StoredSession[]): Promise<void> {
    if (sessions.length === 0) return;
    const restore = required(
      this.adapter.sessions?.restore,
      this.adapter,
      'write exact session copies (sessions.restore)',
    ) as Restore;
    await restore.call(this.adapter.sessions, sessions, { now: this.clock.now() });
  }

  private async restorePending(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    await this.restore(batch);
  }

  private async flushSessions(): Promise<void> {
    await this.restorePending();
    const inFlight = this.inFlight;
    this.inFlight = [];
    await Promise.all(inFlight);
    // Sessions that received messages get their own updatedAt back.
    const fixes = this.copies.filter((c) => c.touched && !c.skip).map((c) => c.session);
    this.copies = [];
    await this.restore(fixes);
  }

  private async flushKv(): Promise<void> {
    if (this.kvPending.length === 0) return;
    const kv: KvDriver = required(this.adapter.kv, this.adapter, 'store key-value entries');
    const batch = this.kvPending;
    this.kvPending = [];
    await kv.setMany(batch, { now: this.clock.now() });
    this.counts.kv += batch.length;
  }
}
