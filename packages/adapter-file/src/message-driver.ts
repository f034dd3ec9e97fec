import { BackendError, type MessageDriver, NotFoundError, sliceRange } from '@stowage/core';
import { ADAPTER } from './errors.js';
import {
  appendLines,
  readLines,
  recordKey,
  removeSegment,
  wasApplied,
  writeSegment,
} from './message-log.js';
import { live } from './session-driver.js';
import type { FileStore, SessionRecord } from './store.js';

// A trim swaps segment files between our read of the session and of its log; a few fresh
// reads always catch up, because each retry sees a newer committed state.
const READ_ATTEMPTS = 5;

/**
 * The message primitives over a `FileStore`. Appends write only the new lines (O(1) in the
 * log's length) and then commit by rewriting the session file with the new log end.
 */
export function messageDriver(store: FileStore): MessageDriver {
  const committed = async (
    id: string,
    now: number,
  ): Promise<{ record: SessionRecord; lines: string[] } | undefined> => {
    for (let attempt = 1; ; attempt++) {
      const record = live(await store.readSession(id), now);
      if (!record) return undefined;
      const lines = await readLines(store.messageFolder(id), record.log);
      if (lines) return { record, lines };
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
        const record = live(await store.readSession(sessionId), now);
        if (!record) {
          throw new NotFoundError(`Cannot append to missing session ${JSON.stringify(sessionId)}`, {
            adapter: ADAPTER,
          });
        }
        const folder = store.messageFolder(sessionId);
        const log = record.log;
        if (idempotencyKey !== undefined && (await wasApplied(folder, idempotencyKey, log))) {
          return log.count;
        }
        const bytes = await appendLines(folder, log, messages, store.durable);
        const next = {
          ...log,
          count: log.count + messages.length,
          bytes: log.bytes + bytes,
          total: log.total + messages.length,
        };
        if (idempotencyKey !== undefined) {
          await recordKey(folder, idempotencyKey, next, store.durable);
        }
        await store.writeSession({ ...record, log: next, updatedAt: now });
        return next.count;
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
        await store.writeSession({
          ...record,
          log: { ...record.log, seg, count: kept.length, bytes },
        });
        await removeSegment(folder, record.log.seg);
        return lines.length - kept.length;
      }),
  };
}
