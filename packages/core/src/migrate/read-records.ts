import { CapabilityError } from '../errors.js';
import type { Clock, KvDriver, StowageAdapter } from '../types.js';
import { orderedMap } from './ordered-map.js';
import {
  type BatchEnd,
  COPY_CONCURRENCY,
  type CopyPosition,
  type MigrationRecord,
  type PageStart,
  RESERVED_KEY_PREFIX,
} from './records.js';

/** Settings of `readRecords`. */
export interface ReadSettings {
  batchSize: number;
  messageChunk: number;
  clock: Clock;
  /** Resume after this position; omitted: from the start. */
  start?: CopyPosition | undefined;
  signal?: AbortSignal | undefined;
}

/** The source's kv entry reader, or a `CapabilityError` once there is an entry to copy. */
function entriesOf(adapter: StowageAdapter, kv: KvDriver): NonNullable<KvDriver['getEntries']> {
  if (kv.getEntries) return kv.getEntries.bind(kv);
  throw new CapabilityError(
    `The ${adapter.name} adapter cannot read kv expiry (kv.getEntries), so its entries cannot be copied exactly`,
    { adapter: adapter.name },
  );
}

/**
 * Streams an adapter's live content in keyset order with bounded memory: a page of sessions at
 * a time, each followed by its messages in chunks, then kv entries a page at a time. A `page`
 * marker announces each page of sessions and a `batch` marker follows every page, so a caller
 * can restore a page at once and checkpoint after it.
 */
export async function* readRecords(
  adapter: StowageAdapter,
  settings: ReadSettings,
): AsyncGenerator<MigrationRecord | BatchEnd | PageStart> {
  const { batchSize, messageChunk, clock, start, signal } = settings;
  const { sessions, messages, kv } = adapter;
  if (sessions && start?.phase !== 'kv') {
    let after = start?.after;
    for (;;) {
      signal?.throwIfAborted();
      const query = { order: 'asc' as const, limit: batchSize };
      const page = await sessions.list(after ? { ...query, after } : query, { now: clock.now() });
      if (page.length > 0) yield { kind: 'page', sessions: page };
      // First chunks are read a few sessions ahead, so round trips to the source overlap.
      const firsts = orderedMap(page, COPY_CONCURRENCY, async (session) =>
        messages
          ? messages.range(session.id, 0, messageChunk - 1, { now: clock.now() })
          : ([] as string[]),
      );
      let index = 0;
      for await (const first of firsts) {
        const session = page[index++] as (typeof page)[number];
        yield { kind: 'session', session };
        let items = first;
        for (let offset = 0; messages; ) {
          if (items.length > 0) yield { kind: 'messages', id: session.id, offset, items };
          if (items.length < messageChunk) break;
          offset += messageChunk;
          items = await messages.range(session.id, offset, offset + messageChunk - 1, {
            now: clock.now(),
          });
        }
      }
      const last = page.at(-1);
      if (!last) break;
      after = { createdAt: last.createdAt, id: last.id };
      yield { kind: 'batch', position: { phase: 'sessions', after }, items: page.length };
      if (page.length < batchSize) break;
    }
  }
  if (!kv) return;
  let afterKey = start?.phase === 'kv' ? start.afterKey : undefined;
  for (;;) {
    signal?.throwIfAborted();
    const query = { prefix: '', limit: batchSize };
    const keys = await kv.keys(afterKey === undefined ? query : { ...query, after: afterKey }, {
      now: clock.now(),
    });
    const wanted = keys.filter((key) => !key.startsWith(RESERVED_KEY_PREFIX));
    if (wanted.length > 0) {
      const entries = await entriesOf(adapter, kv)(wanted, { now: clock.now() });
      for (const entry of entries) if (entry) yield { kind: 'kv', entry };
    }
    const last = keys.at(-1);
    if (last === undefined) break;
    afterKey = last;
    yield { kind: 'batch', position: { phase: 'kv', afterKey }, items: wanted.length };
    if (keys.length < batchSize) break;
  }
}
