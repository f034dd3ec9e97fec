import { randomBytes } from 'node:crypto';
import { close, fsync, open as openFd, read, write } from 'node:fs';
import { type FileHandle, open, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoOf, failAfterCleanup } from './errors.js';

/**
 * Runs one callback-style node:fs call as a promise. The whole-file reads and writes below use
 * plain file descriptors this way instead of node:fs/promises: a `FileHandle` costs an object,
 * its own close machinery and a slower round trip per call, which measured about twice the
 * time of these calls for the small files of a store (open, read, close of 1 KB).
 */
function fsCall<T = void>(
  start: (done: (error: NodeJS.ErrnoException | null, value?: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, value) => (error ? reject(error) : resolve(value as T)));
  });
}

/** Opens `path` with `flags` (as in `fs.open`) and resolves with the file descriptor. */
export const openPath = (path: string, flags: string) =>
  fsCall<number>((done) => openFd(path, flags, done));
const closeFd = (fd: number) => fsCall((done) => close(fd, done));
const syncFd = (fd: number) => fsCall((done) => fsync(fd, done));

/** Writes all of `bytes` at the start of the file `fd`. */
async function writeAll(fd: number, bytes: Buffer): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const at = written;
    written += await fsCall<number>((done) => write(fd, bytes, at, bytes.length - at, at, done));
  }
}

/** Prefix of temporary files; encoded names never start with a dot, so listings skip them. */
export const TEMP_PREFIX = '.tmp-';

/** A fresh temporary file name for the folder it will be renamed within. */
export function tempName(): string {
  return `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`;
}

/** Flushes a folder's entries (new, renamed or removed names) to disk. */
export async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const fd = await openPath(dir, 'r');
  try {
    await syncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

/**
 * Replaces `dir/name` with `content` atomically: write a temporary file in the same folder,
 * fsync it, rename it over the target, fsync the folder. A crash leaves the old or the new
 * file, never a mix. On failure (a full disk, say) the temporary file is removed and the old
 * file is untouched. `durable: false` skips both fsyncs.
 */
export async function writeAtomic(
  dir: string,
  name: string,
  content: string,
  durable: boolean,
): Promise<void> {
  const temp = join(dir, tempName());
  await writeTemp(temp, content, durable);
  try {
    await rename(temp, join(dir, name));
  } catch (error) {
    await failAfterCleanup(error, [async () => rm(temp, { force: true })]);
  }
  if (durable) await syncDir(dir);
}

/** Files touched at once by batch writes and removals. */
const FAN_OUT = 32;

/** Runs `task` for every item, at most `FAN_OUT` at a time; rejects with the first failure. */
export async function eachLimit<T>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        await task(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(FAN_OUT, items.length) }, worker),
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/** Writes and (when durable) fsyncs a temporary file in `dir`; removes it on failure. */
async function writeTemp(temp: string, content: string, durable: boolean): Promise<void> {
  let fd: number | undefined;
  try {
    fd = await openPath(temp, 'wx');
    await writeAll(fd, Buffer.from(content, 'utf8'));
    if (durable) await syncFd(fd);
    const opened = fd;
    // Cleared before closing: a descriptor is never closed twice (its number may be reused).
    fd = undefined;
    await closeFd(opened);
  } catch (error) {
    const opened = fd;
    await failAfterCleanup(error, [
      async () => opened !== undefined && closeFd(opened),
      async () => rm(temp, { force: true }),
    ]);
  }
}

/**
 * `writeAtomic` for several files of one folder: the temporary files are written, fsynced and
 * renamed over their targets side by side (renames one after another wait on the file
 * system's journal in turn), then the folder is fsynced once. Only the last entry for a name
 * is written. A crash before the folder fsync leaves each target whole, old or new, in any
 * mix. On failure every temporary file is removed.
 */
export async function writeAtomicMany(
  dir: string,
  files: readonly { name: string; content: string }[],
  durable: boolean,
): Promise<void> {
  const last = new Map(files.map((file) => [file.name, file.content]));
  const entries = [...last].map(([name, content]) => ({
    name,
    content,
    temp: join(dir, tempName()),
  }));
  try {
    await eachLimit(entries, async (entry) => {
      await writeTemp(entry.temp, entry.content, durable);
      await rename(entry.temp, join(dir, entry.name));
    });
  } catch (error) {
    await failAfterCleanup(error, [
      async () => Promise.all(entries.map((entry) => rm(entry.temp, { force: true }))),
    ]);
  }
  if (durable) await syncDir(dir);
}

/** Opens `path` with `flags`, or `undefined` when it does not exist. */
export function openIfExists(path: string, flags: 'r' | 'r+'): Promise<FileHandle | undefined> {
  return unlessMissing(open(path, flags));
}

/** `pending`'s value, or `undefined` when it failed because the file does not exist. */
async function unlessMissing<T>(pending: Promise<T>): Promise<T | undefined> {
  try {
    return await pending;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** First read of `readIfExists`: more than a typical session file, so one read is enough. */
const FIRST_READ = 16 * 1024;

/**
 * The file's text, or `undefined` when it does not exist. Meant for files that are replaced
 * by rename and never changed in place: it reads until a short read (the end of a regular
 * file) without asking for the size first, one thread-pool round trip fewer than `readFile`.
 */
export async function readIfExists(path: string): Promise<string | undefined> {
  const fd = await unlessMissing(openPath(path, 'r'));
  if (fd === undefined) return undefined;
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.max(FIRST_READ, size));
      const at = size;
      const bytesRead = await fsCall<number>((done) =>
        read(fd, buffer, 0, buffer.length, at, done),
      );
      chunks.push(buffer.subarray(0, bytesRead));
      size += bytesRead;
      if (bytesRead < buffer.length) break;
    }
    return Buffer.concat(chunks, size).toString('utf8');
  } finally {
    await closeFd(fd);
  }
}

/** Removes a file; returns whether it existed. */
export async function unlinkIfExists(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Removes a folder tree so that it disappears at once: rename it to a temporary name first
 * (atomic), then delete the renamed tree. A crash in between leaves only a dot-named folder,
 * which listings ignore and the sweeper removes.
 */
export async function removeTree(parent: string, name: string): Promise<void> {
  const doomed = join(parent, tempName());
  try {
    await rename(join(parent, name), doomed);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw error;
  }
  await rm(doomed, { recursive: true, force: true });
}
