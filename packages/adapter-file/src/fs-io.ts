import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoOf, failAfterCleanup } from './errors.js';

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
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
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
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx');
    await handle.writeFile(content, 'utf8');
    if (durable) await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, join(dir, name));
  } catch (error) {
    const opened = handle;
    await failAfterCleanup(error, [
      async () => opened?.close(),
      async () => rm(temp, { force: true }),
    ]);
  }
  if (durable) await syncDir(dir);
}

/** The file's text, or `undefined` when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw error;
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
