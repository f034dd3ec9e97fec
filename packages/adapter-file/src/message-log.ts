import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptionError } from '@stowage/core';
import { seal, sealLine, unseal, unsealLine } from './envelope.js';
import { ADAPTER, failAfterCleanup } from './errors.js';
import { readIfExists, syncDir, unlinkIfExists, writeAtomic } from './fs-io.js';
import { encodeName } from './names.js';
import type { LogState } from './store.js';

/** What an idempotency marker file records: the append it belongs to. */
interface Marker {
  key: string;
  inc: string;
  total: number;
}

/** File name of a log segment. */
export function segmentName(seg: number): string {
  return `log-${seg}.jsonl`;
}

/**
 * Appends sealed lines at the log's committed end. Bytes past `log.bytes` belong to an append
 * that crashed before its commit, so they are cut off first; a failed write is cut back too,
 * so a full disk leaves no partial line behind. Returns the bytes written.
 */
export async function appendLines(
  folder: string,
  log: LogState,
  messages: readonly string[],
  durable: boolean,
): Promise<number> {
  const created = await mkdir(folder, { recursive: true });
  if (created !== undefined && durable) await syncDir(join(folder, '..'));
  const text = Buffer.from(messages.map(sealLine).join(''), 'utf8');
  let handle: FileHandle | undefined;
  try {
    handle = await open(join(folder, segmentName(log.seg)), 'a');
    await handle.truncate(log.bytes);
    await handle.write(text);
    if (durable) await handle.sync();
    await handle.close();
  } catch (error) {
    const opened = handle;
    await failAfterCleanup(error, [
      async () => opened?.truncate(log.bytes),
      async () => opened?.close(),
    ]);
  }
  if (durable && log.bytes === 0) await syncDir(folder);
  return text.length;
}

/**
 * Reads the committed messages of a segment: exactly `log.bytes` bytes, every line checked.
 * A torn tail beyond the committed bytes is never read. Returns `undefined` when the segment
 * file is gone (a concurrent trim replaced it; the caller reads the session again).
 */
export async function readLines(folder: string, log: LogState): Promise<string[] | undefined> {
  if (log.count === 0) return [];
  let handle: FileHandle;
  try {
    handle = await open(join(folder, segmentName(log.seg)), 'r');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  const buffer = Buffer.alloc(log.bytes);
  let read = 0;
  try {
    while (read < log.bytes) {
      const { bytesRead } = await handle.read(buffer, read, log.bytes - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
  } finally {
    await handle.close();
  }
  const lines = buffer.subarray(0, read).toString('utf8').split('\n');
  lines.pop();
  const messages = lines.map(unsealLine);
  if (read !== log.bytes || messages.length !== log.count || messages.includes(undefined)) {
    throw new CorruptionError(
      `Message log ${join(folder, segmentName(log.seg))} is damaged: a committed line is missing or fails its checksum`,
      { adapter: ADAPTER },
    );
  }
  return messages as string[];
}

/** Writes `messages` as a new, complete segment file (used by trim). Returns its size. */
export async function writeSegment(
  folder: string,
  seg: number,
  messages: readonly string[],
  durable: boolean,
): Promise<number> {
  const text = messages.map(sealLine).join('');
  await mkdir(folder, { recursive: true });
  await writeAtomic(folder, segmentName(seg), text, durable);
  return Buffer.byteLength(text, 'utf8');
}

/** Removes a replaced segment file. */
export async function removeSegment(folder: string, seg: number): Promise<void> {
  await unlinkIfExists(join(folder, segmentName(seg)));
}

/**
 * Whether an append with this idempotency key was committed in this incarnation of the
 * session. A marker written by an append that crashed before its commit names a `total` the
 * session never reached, so it does not count.
 */
export async function wasApplied(folder: string, key: string, log: LogState): Promise<boolean> {
  const file = `${encodeName(key)}.json`;
  const raw = await readIfExists(join(folder, 'keys', file));
  if (raw === undefined) return false;
  const marker = unseal(raw, `Idempotency marker ${file}`) as Marker;
  return marker.key === key && marker.inc === log.inc && marker.total <= log.total;
}

/** Records that the append reaching `total` messages used this idempotency key. */
export async function recordKey(
  folder: string,
  key: string,
  log: LogState,
  durable: boolean,
): Promise<void> {
  const dir = join(folder, 'keys');
  const created = await mkdir(dir, { recursive: true });
  if (created !== undefined && durable) await syncDir(folder);
  const marker: Marker = { key, inc: log.inc, total: log.total };
  await writeAtomic(dir, `${encodeName(key)}.json`, seal(marker), durable);
}
