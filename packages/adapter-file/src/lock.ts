import { randomUUID } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TimeoutError } from '@stowage/core';
import { ADAPTER, errnoOf } from './errors.js';
import { openPath, readIfExists, TEMP_PREFIX, unlinkIfExists } from './fs-io.js';

/** How long lock waits may take and when a held lock counts as abandoned. */
export interface LockSettings {
  /** Give up waiting after this many ms with `TimeoutError`. */
  timeoutMs: number;
  /** A lock older than this (ms) is abandoned even if its holder's pid is alive. */
  staleMs: number;
}

interface LockBody {
  pid: number;
  at: number;
  token: string;
}

// Callers in one process queue here first, so they never poll each other's lock files; the
// map is module-wide because several adapters in one process may share a folder.
const queues = new Map<string, Promise<void>>();

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) === 'EPERM';
  }
}

function parseBody(text: string | undefined): LockBody | undefined {
  if (!text) return undefined;
  try {
    const body = JSON.parse(text) as Partial<LockBody>;
    if (
      typeof body.pid === 'number' &&
      typeof body.at === 'number' &&
      typeof body.token === 'string'
    )
      return body as LockBody;
  } catch {
    // A holder that crashed between creating and filling its lock leaves it empty or partial;
    // such a lock is judged by its file age below.
  }
  return undefined;
}

async function ageOf(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

async function isStale(
  path: string,
  body: LockBody | undefined,
  staleMs: number,
): Promise<boolean> {
  if (body) return Date.now() - body.at > staleMs || !pidAlive(body.pid);
  const age = await ageOf(path);
  return age !== undefined && age > staleMs;
}

/**
 * Removes an abandoned lock. Breakers take a `.break` lock of their own first, so two
 * processes that both find the lock stale cannot remove a fresh lock taken in between.
 */
async function breakIfStale(path: string, staleMs: number): Promise<boolean> {
  const seen = await readIfExists(path);
  if (seen === undefined) return true;
  if (!(await isStale(path, parseBody(seen), staleMs))) return false;
  const breaker = `${path}.break`;
  try {
    await (await open(breaker, 'wx')).close();
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') throw error;
    const age = await ageOf(breaker);
    if (age !== undefined && age > staleMs) await unlinkIfExists(breaker);
    return false;
  }
  try {
    if ((await readIfExists(path)) === seen) await unlinkIfExists(path);
  } finally {
    await unlinkIfExists(breaker);
  }
  return true;
}

// Lock files are a few dozen bytes and never fsynced, so most of their calls use the
// synchronous API: each takes microseconds, while a thread-pool round trip per call would
// make the lock cost more than the write it protects. The create is the exception: a new
// inode waits for the file system's journal while other writes fsync (0.8 ms on average and
// up to 70 ms with 32 saves in flight, measured on ext4), and on the main thread that wait
// would stall every other call of the process, so it runs in the thread pool.
async function tryCreate(path: string, body: string): Promise<boolean> {
  let fd: number;
  try {
    fd = await openPath(path, 'wx');
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    if (errnoOf(error) !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true });
    return tryCreate(path, body);
  }
  try {
    writeSync(fd, body);
  } catch (error) {
    try {
      closeSync(fd);
      unlinkSync(path);
    } catch (cleanup) {
      throw new AggregateError([error, cleanup], 'A lock file write failed and so did its cleanup');
    }
    throw error;
  }
  closeSync(fd);
  return true;
}

function release(path: string, token: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw error;
  }
  // Only remove our own lock: if it was broken as stale, the file now belongs to someone else.
  if (parseBody(text)?.token === token) unlinkSync(path);
}

/**
 * Takes the lock at `path` with `take` (which returns false while another holder has it),
 * breaking abandoned locks and polling with backoff until `deadline` (ms since the epoch).
 */
async function acquireWith(
  path: string,
  settings: LockSettings,
  deadline: number,
  take: () => Promise<boolean>,
): Promise<void> {
  let delay = 1;
  for (;;) {
    if (await take()) return;
    if (await breakIfStale(path, settings.staleMs)) continue;
    if (Date.now() >= deadline) {
      throw new TimeoutError(
        `Lock ${path} was still held after ${settings.timeoutMs} ms (option lockTimeoutMs)`,
        settings.timeoutMs,
        { adapter: ADAPTER },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 2, 20);
  }
}

async function acquire(path: string, settings: LockSettings): Promise<string> {
  const token = randomUUID();
  const body = JSON.stringify({ pid: process.pid, at: Date.now(), token });
  await acquireWith(path, settings, Date.now() + settings.timeoutMs, () => tryCreate(path, body));
  return token;
}

/**
 * Links the prepared lock file `source` at `path`: `link` fails with `EEXIST` like an
 * `O_EXCL` create, but allocates no inode, which is most of a create's cost on a busy disk.
 */
function tryLink(source: string, path: string): boolean {
  try {
    linkSync(source, path);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Runs `task` after every earlier task queued on `path` in this process has settled. Reads
 * queue too, so a read issued during a write returns the written version instead of the one
 * the write is replacing, which spares read-modify-write loops a doomed attempt.
 */
export async function queued<T>(path: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => {
    done = resolve;
  });
  const tail = previous.then(() => mine);
  queues.set(path, tail);
  try {
    await previous;
    return await task();
  } finally {
    done();
    if (queues.get(path) === tail) queues.delete(path);
  }
}

/**
 * Runs `task` while holding the inter-process lock file at `path` (created with `O_EXCL`,
 * holding pid, time and a token). Abandoned locks (holder dead, or older than `staleMs`) are
 * taken over; waiting longer than `timeoutMs` is a `TimeoutError`. `precheck` runs in this
 * process's turn but before the file lock is taken, so a call it rejects costs no lock I/O.
 */
export function withLock<T>(
  path: string,
  settings: LockSettings,
  task: () => Promise<T>,
  precheck?: () => Promise<void>,
): Promise<T> {
  return queued(path, async () => {
    await precheck?.();
    const token = await acquire(path, settings);
    try {
      return await task();
    } finally {
      release(path, token);
    }
  });
}

/** Releases every lock of a set and removes its prepared file; failures travel together. */
function releaseAll(held: readonly string[], token: string, source: string): void {
  const failures: unknown[] = [];
  for (const path of held) {
    try {
      release(path, token);
    } catch (error) {
      failures.push(error);
    }
  }
  try {
    unlinkSync(source);
  } catch (error) {
    // The sweeper removes prepared lock files older than `staleMs`; the links stay valid.
    if (errnoOf(error) !== 'ENOENT') failures.push(error);
  }
  if (failures.length > 0) throw new AggregateError(failures, 'Releasing locks failed');
}

/**
 * Runs `task` holding every lock in `paths` (pass them sorted, so that callers sharing some
 * locks always take them in the same order). After this process's earlier callers on those
 * paths are done, one lock file is written with a fresh token and hard-linked at every path,
 * so each lock looks exactly like one taken alone (same body, same checks for abandoned
 * locks) at the cost of one file creation for the whole set. All of them must be taken
 * within `timeoutMs` in all, so none looks older than that when the task starts. Where hard
 * links are not supported, each lock is created on its own.
 */
export function withLocks<T>(
  paths: readonly string[],
  settings: LockSettings,
  task: () => Promise<T>,
): Promise<T> {
  const [only] = paths;
  if (only === undefined) return task();
  if (paths.length === 1) return withLock(only, settings, task);
  const locked = async (): Promise<T> => {
    const token = randomUUID();
    const body = JSON.stringify({ pid: process.pid, at: Date.now(), token });
    const source = join(dirname(only), `${TEMP_PREFIX}lock-${token}`);
    if (!(await tryCreate(source, body))) throw new Error(`Lock file ${source} exists already`);
    const deadline = Date.now() + settings.timeoutMs;
    const held: string[] = [];
    try {
      let linkable = true;
      for (const path of paths) {
        await acquireWith(path, settings, deadline, async () => {
          if (linkable) {
            try {
              return tryLink(source, path);
            } catch (error) {
              if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK'].includes(errnoOf(error) ?? '')) {
                throw error;
              }
              linkable = false;
            }
          }
          return tryCreate(path, body);
        });
        held.push(path);
      }
      return await task();
    } finally {
      releaseAll(held, token, source);
    }
  };
  const enter = (index: number): Promise<T> =>
    index === paths.length ? locked() : queued(paths[index] as string, () => enter(index + 1));
  return enter(0);
}

/**
 * Runs `task` under the lock at `path` only if it is free right now (after removing an
 * abandoned one); returns `undefined` without running it when another holder has it.
 */
export async function withLockIfFree<T>(
  path: string,
  settings: LockSettings,
  task: () => Promise<T>,
): Promise<T | undefined> {
  if (queues.has(path)) return undefined;
  const token = randomUUID();
  const body = JSON.stringify({ pid: process.pid, at: Date.now(), token });
  const taken =
    (await tryCreate(path, body)) ||
    ((await breakIfStale(path, settings.staleMs)) && (await tryCreate(path, body)));
  if (!taken) return undefined;
  try {
    return await task();
  } finally {
    release(path, token);
  }
}
