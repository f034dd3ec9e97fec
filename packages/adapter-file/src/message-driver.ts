import { BackendError, type MessageDriver, NotFoundError, sliceRange } from '@stowage/core';
import { ADAPTER } from './errors.js';
import {
  frameLine,
  openSegment,
  prefetchSegment,
  readLines,
  recordKey,
  removeSegment,
  startFrames,
  wasApplied,
  writeFrame,
  writeSegment,
} from './message-log.js';
import { live } from './session-driver.js';
import { type FileStore, type SessionRecord, withTail } from './store.js';

// A trim swaps segment files between our read of the session and of its log; a few fresh
// reads always catch up, because each retry sees a newer committed state.
const READ_ATTEMPTS = 5;
/** Sessions whose last segment this process remembers for its next append. */
const REMEMBERED = 10_000;

/**
 * The message primitives over a `FileStore`. An append writes one frame line (all its
 * messages, the new count and its time) at the log's committed end and fsyncs it: that line
 * is the commit, so the session file is not rewritten (only a segment's first append marks
 * the session file as framed). The cost does not depend on the log's length.
 */
export function messageDriver(store: FileStore): MessageDriver {
  const lastSegment = new Map<string, number>();
  const remember = (folder: string, seg: number) => {
    lastSegment.delete(folder);
    lastSegment.set(folder, seg);
    if (lastSegment.size > REMEMBERED)
      lastSegment.delete(lastSegment.keys().next().value as string);
  };
  const committed = async (
    id: string,
    now: number,
  ): Promise<{ record: SessionRecord; lines: string[] } | undefined> => {
    for (let attempt = 1; ; attempt++) {
      const raw = live(await store.readSessionRaw(id), now);
      if (!raw) return undefined;
      const found = await readLines(store.messageFolder(id), raw.log);
      if (found) return { record: withTail(raw, found.tail), lines: found.messages };
      if (attempt >= READ_ATTEMPTS) {
        throw new BackendError(`Message log of ${JSON.stringify(id)} kept moving; try again`, {
          adapter: ADAPTER,
        });
      }
    }
  };

  return {
    append: (sessionId, messages, { idempotencyKey }, { now }) =>
      store.withSessionLock(sessionId, async () => {
        const folder = store.messageFolder(sessionId);
        // The segment this process appended to last time is opened and read beside the
        // session file; the session file then says whether it is still the current one.
        const guess = lastSegment.get(folder);
        const [read, pre] = await Promise.allSettled([
          store.readSessionRaw(sessionId),
          guess === undefined ? undefined : prefetchSegment(folder, guess),
        ]);
        const prefetched = pre.status === 'fulfilled' ? pre.value : undefined;
        if (read.status === 'rejected' || pre.status === 'rejected') {
          await prefetched?.handle.close();
          throw read.status === 'rejected' ? read.reason : (pre as PromiseRejectedResult).reason;
        }
        let record = live(read.value, now);
        // Only a framed segment's end is used; a first append opens its segment itself.
        const usable = record?.log.frames ? prefetched : undefined;
        if (!usable) await prefetched?.handle.close();
        if (!record) {
          throw new NotFoundError(`Cannot append to missing session ${JSON.stringify(sessionId)}`, {
            adapter: ADAPTER,
          });
        }
        if (!record.log.frames) {
          // First append to this segment: from now on its frames are the commit points.
          await startFrames(folder, record.log, store.durable);
          record = { ...record, log: { ...record.log, frames: true } };
          await store.writeSession(record);
        }
        const log = record.log;
        const seg = await openSegment(folder, log, usable);
        remember(folder, log.seg);
        try {
          if (
            idempotencyKey !== undefined &&
            (await wasApplied(folder, idempotencyKey, log, seg))
          ) {
            return seg.tail.count;
          }
          const line = frameLine(seg.tail, messages, now);
          if (idempotencyKey !== undefined) {
            const total = seg.tail.total + messages.length;
            const at = { pos: seg.tail.end, line };
            await recordKey(folder, idempotencyKey, log, total, at, store.durable);
          }
          await writeFrame(seg, line, store.durable);
        } finally {
          await seg.handle.close();
        }
        return seg.tail.count + messages.length;
      }),
    async range(sessionId, start, end, { now }) {
      const found = await committed(sessionId, now);
      if (!found) return [];
      const [from, to] = sliceRange(found.lines.length, start, end);
      return found.lines.slice(from, to);
    },
    async length(sessionId, { now }) {
      return live(await store.readSession(sessionId), now)?.log.count ?? 0;
    },
    trim: (sessionId, keepLast, { now }) =>
      store.withSessionLock(sessionId, async () => {
        const found = await committed(sessionId, now);
        if (!found || found.lines.length <= keepLast) return 0;
        const { record, lines } = found;
        const folder = store.messageFolder(sessionId);
        const kept = lines.slice(lines.length - keepLast);
        const seg = record.log.seg + 1;
        const bytes = await writeSegment(folder, seg, kept, store.durable);
        // The new segment holds plain lines up to `bytes`; later appends add frames after them.
        await store.writeSession({
          ...record,
          log: { ...record.log, seg, count: kept.length, bytes },
        });
        await removeSegment(folder, record.log.seg);
        return lines.length - kept.length;
      }),
  };
}
