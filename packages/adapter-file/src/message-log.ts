import { type FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptionError } from '@stowage/core';
import { asFrame, seal, sealFrame, sealLine, unseal, unsealAny } from './envelope.js';
import { ADAPTER, errnoOf, failAfterCleanup } from './errors.js';
import { openIfExists, readIfExists, syncDir, unlinkIfExists, writeAtomic } from './fs-io.js';
import { encodeName } from './names.js';
import type { LogState } from './store.js';

/** What an idempotency marker file records: the append it belongs to. */
interface Marker {
  key: string;
  inc: string;
  total: number;
  /** Segment, start offset and checksum of the append's frame (absent in older markers). */
  seg?: number;
  pos?: number;
  sum?: string;
}

/** Where a framed segment's committed messages end, found by reading it backwards. */
export interface LogTail {
  /** Committed bytes; anything after them is a torn, unacknowledged append. */
  end: number;
  count: number;
  total: number;
  /** `at` of the newest frame after the session file's recorded end, if there is one. */
  at: number | undefined;
}

const NEWLINE = 0x0a;
/** First read of a tail; doubled until it holds the last whole line. */
const TAIL_CHUNK = 4096;

/** File name of a log segment. */
export function segmentName(seg: number): string {
  return `log-${seg}.jsonl`;
}

function damaged(what: string, detail: string): CorruptionError {
  return new CorruptionError(`Message log ${what} is damaged: ${detail}`, { adapter: ADAPTER });
}

/**
 * Finds the committed end of a framed segment of `size` bytes. Bytes up to `log.bytes` were
 * committed when the session file was written; after them, every whole frame line with a valid
 * checksum is committed too. Reading backwards from the end, a line with no final newline or
 * with NUL bytes (a write cut short by a kill or a power loss) and a plain message line (left
 * by an older version's uncommitted append) are torn and skipped; a whole line that fails its
 * checksum is damage, not a crash, and a `CorruptionError`. Only the last append can be torn
 * (each append cuts a torn tail off before writing), so this reads a few KB, whatever the size.
 */
async function findTail(
  read: (start: number, end: number) => Promise<Buffer>,
  size: number,
  log: LogState,
  what: string,
): Promise<LogTail> {
  if (size < log.bytes) throw damaged(what, 'it is shorter than its committed messages');
  let stop = size;
  let winStart = size;
  let win = Buffer.alloc(0);
  while (stop > log.bytes) {
    // The line ending at `stop` starts after the previous newline (or at the committed end).
    const before = () =>
      stop - 2 - winStart >= 0 ? win.lastIndexOf(NEWLINE, stop - 2 - winStart) : -1;
    let nl = before();
    while (nl < 0 && winStart > log.bytes) {
      const from = Math.max(log.bytes, winStart - Math.max(TAIL_CHUNK, size - winStart));
      win = Buffer.concat([await read(from, winStart), win]);
      winStart = from;
      nl = before();
    }
    const lineStart = nl < 0 ? winStart : winStart + nl + 1;
    const line = win.subarray(lineStart - winStart, stop - winStart);
    const whole = line.length > 0 && line[line.length - 1] === NEWLINE && !line.includes(0);
    if (whole) {
      const value = unsealAny(line.subarray(0, line.length - 1).toString('utf8'));
      const frame = asFrame(value);
      if (frame) return { end: stop, count: frame.n, total: frame.t, at: frame.at };
      if (typeof value !== 'string') {
        throw damaged(what, 'its last committed line fails its checksum');
      }
    }
    stop = lineStart;
  }
  return { end: log.bytes, count: log.count, total: log.total, at: undefined };
}

/** Positional read of `[start, end)` through an open handle. */
async function readRange(handle: FileHandle, start: number, end: number): Promise<Buffer> {
  const buffer = Buffer.alloc(end - start);
  let read = 0;
  while (read < buffer.length) {
    const { bytesRead } = await handle.read(buffer, read, buffer.length - read, start + read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  return buffer.subarray(0, read);
}

/**
 * The committed tail of a framed segment (see `findTail`), or `undefined` when the segment
 * file is gone (a concurrent trim or delete replaced it; the caller reads the session again).
 */
export async function readTail(folder: string, log: LogState): Promise<LogTail | undefined> {
  const path = join(folder, segmentName(log.seg));
  const handle = await openIfExists(path, 'r');
  if (!handle) return undefined;
  try {
    const { size } = await handle.stat();
    return await findTail((s, e) => readRange(handle, s, e), size, log, path);
  } finally {
    await handle.close();
  }
}

/**
 * Switches a session's current segment to frames (format 2): cuts off bytes after the
 * committed end (an older version's uncommitted append) and makes that durable, creating the
 * segment when missing. The caller then writes the session file with `frames: true`.
 */
export async function startFrames(folder: string, log: LogState, durable: boolean): Promise<void> {
  const created = await mkdir(folder, { recursive: true });
  if (created !== undefined && durable) await syncDir(join(folder, '..'));
  const handle = await open(join(folder, segmentName(log.seg)), 'a');
  try {
    await handle.truncate(log.bytes);
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  if (durable && log.bytes === 0) await syncDir(folder);
}

/** An append in progress: the open segment and its committed tail, found under the lock. */
export interface OpenSegment {
  handle: FileHandle;
  size: number;
  tail: LogTail;
}

/** A segment opened, sized and read at its end before its session file was read. */
export interface PrefetchedSegment {
  seg: number;
  handle: FileHandle;
  size: number;
  /** The last bytes of the file, from `start` to `size`. */
  start: number;
  bytes: Buffer;
}

/**
 * Opens segment `seg` and reads its last few KB, for an append that runs this beside the read
 * of the session file (both under the session's lock, so neither can change meanwhile).
 * `undefined` when the segment does not exist.
 */
export async function prefetchSegment(
  folder: string,
  seg: number,
): Promise<PrefetchedSegment | undefined> {
  const handle = await openIfExists(join(folder, segmentName(seg)), 'r+');
  if (!handle) return undefined;
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_CHUNK);
    return { seg, handle, size, start, bytes: await readRange(handle, start, size) };
  } catch (error) {
    return failAfterCleanup(error, [async () => handle.close()]);
  }
}

/**
 * Opens a framed segment for an append and finds its committed tail, using `prefetched` when
 * it is this segment (it is closed otherwise).
 */
export async function openSegment(
  folder: string,
  log: LogState,
  prefetched?: PrefetchedSegment,
): Promise<OpenSegment> {
  const path = join(folder, segmentName(log.seg));
  if (prefetched && prefetched.seg !== log.seg) await prefetched.handle.close();
  const pre = prefetched?.seg === log.seg ? prefetched : undefined;
  const handle = pre?.handle ?? (await open(path, 'r+'));
  try {
    const size = pre?.size ?? (await handle.stat()).size;
    const read = (s: number, e: number) =>
      pre && s >= pre.start && e <= pre.size
        ? Promise.resolve(pre.bytes.subarray(s - pre.start, e - pre.start))
        : readRange(handle, s, e);
    const tail = await findTail(read, size, log, path);
    return { handle, size, tail };
  } catch (error) {
    return failAfterCleanup(error, [async () => handle.close()]);
  }
}

/** The frame line an append of `messages` at `now` writes after `tail`. */
export function frameLine(tail: LogTail, messages: readonly string[], now: number): Buffer {
  const n = tail.count + messages.length;
  const t = tail.total + messages.length;
  return Buffer.from(sealFrame({ n, t, at: now, m: [...messages] }), 'utf8');
}

/**
 * Writes one frame at the committed end and fsyncs it: the append's commit point. A torn tail
 * after the committed end is cut off first; a failed write is cut back, so a full disk leaves
 * no partial line behind. The caller closes the segment.
 */
export async function writeFrame(seg: OpenSegment, line: Buffer, durable: boolean): Promise<void> {
  const { handle, size, tail } = seg;
  try {
    if (size > tail.end) await handle.truncate(tail.end);
    let written = 0;
    while (written < line.length) {
      const { bytesWritten } = await handle.write(
        line,
        written,
        line.length - written,
        tail.end + written,
      );
      written += bytesWritten;
    }
    if (durable) await handle.sync();
  } catch (error) {
    await failAfterCleanup(error, [async () => handle.truncate(tail.end)]);
  }
}

/** The messages of committed text: plain message lines, then frames. */
function parseLines(text: string, what: string, end: number): string[] {
  const lines = text.split('\n');
  lines.pop();
  const messages: string[] = [];
  for (const line of lines) {
    const value = unsealAny(line);
    if (typeof value === 'string') {
      messages.push(value);
      continue;
    }
    const frame = asFrame(value);
    if (!frame || frame.n !== messages.length + frame.m.length) {
      throw damaged(what, 'a committed line is missing or fails its checksum');
    }
    messages.push(...frame.m);
  }
  if (Buffer.byteLength(text, 'utf8') !== end) {
    throw damaged(what, 'a committed line is missing or fails its checksum');
  }
  return messages;
}

/**
 * Reads the committed messages of a segment, every line checked. Unframed (format 1): exactly
 * `log.bytes` bytes of message lines. Framed: the lines up to the end `findTail` finds. A torn
 * tail beyond the committed end is never returned. `undefined` when the segment file is gone
 * (a concurrent trim replaced it; the caller reads the session again).
 */
export async function readLines(
  folder: string,
  log: LogState,
): Promise<{ messages: string[]; tail: LogTail } | undefined> {
  const base: LogTail = { end: log.bytes, count: log.count, total: log.total, at: undefined };
  if (log.count === 0 && !log.frames) return { messages: [], tail: base };
  const path = join(folder, segmentName(log.seg));
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw error;
  }
  const tail = log.frames
    ? await findTail(async (s, e) => buffer.subarray(s, e), buffer.length, log, path)
    : base;
  if (buffer.length < tail.end) throw damaged(path, 'a committed line is missing');
  const messages = parseLines(buffer.subarray(0, tail.end).toString('utf8'), path, tail.end);
  if (messages.length !== tail.count) {
    throw damaged(path, 'a committed line is missing or fails its checksum');
  }
  return { messages, tail };
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
 * session. The marker is written before the append's frame and names where that frame starts
 * and its checksum: the key counts only if exactly that frame is committed there. A marker
 * from before the last trim (or from an older version) falls back to the message total, which
 * an append that never committed did not reach.
 */
export async function wasApplied(
  folder: string,
  key: string,
  log: LogState,
  seg: OpenSegment | undefined,
): Promise<boolean> {
  const file = `${encodeName(key)}.json`;
  const raw = await readIfExists(join(folder, 'keys', file));
  if (raw === undefined) return false;
  const marker = unseal(raw, `Idempotency marker ${file}`) as Marker;
  if (marker.key !== key || marker.inc !== log.inc) return false;
  if (seg && marker.seg === log.seg && marker.pos !== undefined && marker.sum !== undefined) {
    if (marker.pos >= seg.tail.end) return false;
    const sum = await readRange(seg.handle, marker.pos, marker.pos + 16);
    return sum.toString('latin1') === marker.sum;
  }
  return marker.total <= (seg?.tail.total ?? log.total);
}

/** Records, before the append commits, the frame that the append with this key writes. */
export async function recordKey(
  folder: string,
  key: string,
  log: LogState,
  total: number,
  at: { pos: number; line: Buffer } | undefined,
  durable: boolean,
): Promise<void> {
  const dir = join(folder, 'keys');
  const created = await mkdir(dir, { recursive: true });
  if (created !== undefined && durable) await syncDir(folder);
  const marker: Marker = at
    ? {
        key,
        inc: log.inc,
        total,
        seg: log.seg,
        pos: at.pos,
        sum: at.line.subarray(0, 16).toString('latin1'),
      }
    : { key, inc: log.inc, total };
  await writeAtomic(dir, `${encodeName(key)}.json`, seal(marker), durable);
}
