import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BackendError, CorruptionError, type StoredSession } from '@stowage/core';
import { seal, unseal } from './envelope.js';
import { ADAPTER } from './errors.js';
import {
  eachLimit,
  readIfExists,
  removeTree,
  syncDir,
  unlinkIfExists,
  writeAtomic,
  writeAtomicMany,
} from './fs-io.js';
import { type LockSettings, queued, withLock, withLockIfFree, withLocks } from './lock.js';
import { type LogTail, readTail } from './message-log.js';
import { decodeName, encodeName } from './names.js';
import type { ResolvedFileOptions } from './options.js';
import { RecentCommits } from './recent-commits.js';

/** Where a session's message log stands; stored inside the session file, the commit point. */
export interface LogState {
  /** Random per-incarnation tag: a session re-created under the same id gets a new one. */
  inc: string;
  /** Number of the current log segment file (`log-<seg>.jsonl`); trim moves to a new one. */
  seg: number;
  /** Messages in the current segment. */
  count: number;
  /** Committed bytes of the segment; anything after them is a torn, unacknowledged append. */
  bytes: number;
  /** Messages ever appended in this incarnation (never shrinks; idempotency markers use it). */
  total: number;
  /**
   * Format 2: appends commit by their own frame line in the segment, so `count`, `bytes` and
   * `total` are where the log stood when this file was written, and every whole, checksummed
   * frame after `bytes` is committed as well (see `readTail`). Set by a segment's first append;
   * such files carry the `stowage-file-2` header. Absent (format 1): the log ends at `bytes`.
   */
  frames?: true;
}

/** A session file's content. */
export interface SessionRecord extends StoredSession {
  log: LogState;
}

/** A kv file's content. */
export interface KvRecord {
  key: string;
  value: string;
  expiresAt: number | null;
}

const SESSION_EXT = '.json';
// A trim or delete swaps segment files between a read of the session and of its log; a few
// fresh reads always catch up, because each retry sees a newer committed state.
const READ_ATTEMPTS = 5;

/** `record` with the appends of `tail` folded in. */
export function withTail(record: SessionRecord, tail: LogTail): SessionRecord {
  return {
    ...record,
    updatedAt: tail.at ?? record.updatedAt,
    log: { ...record.log, count: tail.count, bytes: tail.end, total: tail.total },
  };
}
const KV_EXT = '.json';

/**
 * The on-disk layout of one namespace and the typed reads and writes over it. Every write goes
 * through `writeAtomic`; every read checks the file's checksum and the id stored inside.
 */
export class FileStore {
  readonly root: string;
  readonly sessionsDir: string;
  readonly messagesDir: string;
  readonly kvDir: string;
  /** One file per job queue; see `QueueStore`. */
  readonly queuesDir: string;
  readonly locksDir: string;
  readonly durable: boolean;
  lock: LockSettings;
  private readonly waitingReads = new Map<string, Promise<SessionRecord | undefined>>();
  /** Versions this process committed lately; see `RecentCommits`. */
  readonly commits = new RecentCommits();

  constructor(options: ResolvedFileOptions) {
    this.root = join(options.dir, options.namespace);
    this.sessionsDir = join(this.root, 'sessions');
    this.messagesDir = join(this.root, 'messages');
    this.kvDir = join(this.root, 'kv');
    this.queuesDir = join(this.root, 'queues');
    this.locksDir = join(this.root, 'locks');
    this.durable = options.durable;
    this.lock = { timeoutMs: options.lockTimeoutMs ?? 5000, staleMs: options.staleLockMs };
  }

  /** Creates the folders of the namespace. */
  async init(): Promise<void> {
    for (const dir of [
      this.sessionsDir,
      this.messagesDir,
      this.kvDir,
      this.queuesDir,
      this.locksDir,
    ]) {
      await mkdir(dir, { recursive: true });
    }
  }

  /** Runs `task` holding the inter-process lock of one session (its data and messages); see `withLock`. */
  withSessionLock<T>(
    id: string,
    task: () => Promise<T>,
    precheck?: () => Promise<void>,
  ): Promise<T> {
    const path = this.sessionLockPath(id);
    // Reads issued from now on must see this write, so they may not join an earlier read.
    this.waitingReads.delete(path);
    return withLock(path, this.lock, task, precheck);
  }

  /**
   * Runs `task` holding the locks of several sessions at once, taken in name order so two
   * batches that share ids cannot wait for each other.
   */
  withSessionLocks<T>(ids: readonly string[], task: () => Promise<T>): Promise<T> {
    const paths = [...new Set(ids.map((id) => this.sessionLockPath(id)))].sort();
    for (const path of paths) this.waitingReads.delete(path);
    return withLocks(paths, this.lock, task);
  }

  /** Runs `task` holding the inter-process lock of one kv key. */
  withKvLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    return withLock(join(this.locksDir, `k-${encodeName(key)}.lock`), this.lock, task);
  }

  /** Runs `task` as the namespace's only sweeper, or returns `undefined` when one is running. */
  asSweeper<T>(task: () => Promise<T>): Promise<T | undefined> {
    return withLockIfFree(join(this.locksDir, 'sweep.lock'), this.lock, task);
  }

  /**
   * The session as committed, or `undefined`; a damaged file is a `CorruptionError`. For a
   * framed log, its message count, end and total and the session's `updatedAt` include the
   * appends committed after the file was written (a read of the segment's last few KB), so
   * writing the record back folds them in.
   */
  async readSession(id: string): Promise<SessionRecord | undefined> {
    for (let attempt = 1; ; attempt++) {
      const record = await this.readSessionRaw(id);
      if (!record?.log.frames) return record;
      const tail = await readTail(this.messageFolder(id), record.log);
      if (tail) return withTail(record, tail);
      // The segment was replaced (trim) or removed (delete) since the read: read again.
      if (attempt >= READ_ATTEMPTS) {
        throw new BackendError(`Message log of ${JSON.stringify(id)} kept moving; try again`, {
          adapter: ADAPTER,
        });
      }
    }
  }

  /** The session file's record as written, without appends committed after it. */
  readSessionRaw(id: string): Promise<SessionRecord | undefined> {
    return this.readSessionFile(`${encodeName(id)}${SESSION_EXT}`, id);
  }

  /** A record read by `readSessionFile` with its framed log's appends folded in. */
  async resolveTail(record: SessionRecord): Promise<SessionRecord | undefined> {
    if (!record.log.frames) return record;
    const tail = await readTail(this.messageFolder(record.id), record.log);
    return tail ? withTail(record, tail) : this.readSession(record.id);
  }

  /**
   * Like `readSession`, but after this process's pending writes to the session. Reads that
   * queue up behind the same writes share one file read, as long as it has not started yet
   * (a read already running may predate a write another process finished meanwhile).
   */
  readSessionFresh(id: string): Promise<SessionRecord | undefined> {
    const path = this.sessionLockPath(id);
    const waiting = this.waitingReads.get(path);
    if (waiting) return waiting;
    const read = queued(path, () => {
      if (this.waitingReads.get(path) === read) this.waitingReads.delete(path);
      return this.readSession(id);
    });
    this.waitingReads.set(path, read);
    return read;
  }

  private sessionLockPath(id: string): string {
    return join(this.locksDir, `s-${encodeName(id)}.lock`);
  }

  /** Reads a session file by name, checking it holds `expectedId` when given. */
  async readSessionFile(file: string, expectedId?: string): Promise<SessionRecord | undefined> {
    const raw = await readIfExists(join(this.sessionsDir, file));
    if (raw === undefined) return undefined;
    const what = `Session file ${file}${expectedId === undefined ? '' : ` (id ${JSON.stringify(expectedId)})`}`;
    const record = unseal(raw, what) as SessionRecord;
    if (typeof record?.id !== 'string' || typeof record.log?.inc !== 'string') {
      throw new CorruptionError(`${what} does not hold a session`, { adapter: ADAPTER });
    }
    if (expectedId !== undefined && record.id !== expectedId) {
      throw new CorruptionError(`${what} holds another id`, { adapter: ADAPTER });
    }
    return record;
  }

  /** Writes a session file atomically. */
  writeSession(record: SessionRecord): Promise<void> {
    return writeAtomic(
      this.sessionsDir,
      `${encodeName(record.id)}${SESSION_EXT}`,
      seal(record, record.log.frames === true),
      this.durable,
    );
  }

  /**
   * Writes several session files (see `writeAtomicMany`): fsynced side by side, renamed in
   * order, one fsync of the folder.
   */
  writeSessions(records: readonly SessionRecord[]): Promise<void> {
    const files = records.map((record) => ({
      name: `${encodeName(record.id)}${SESSION_EXT}`,
      content: seal(record, record.log.frames === true),
    }));
    return writeAtomicMany(this.sessionsDir, files, this.durable);
  }

  /**
   * Deletes several session files side by side, fsyncs the folder once (the commit point of
   * all of them), then removes their message folders.
   */
  async removeSessions(ids: readonly string[]): Promise<void> {
    let removed = false;
    await eachLimit(ids, async (id) => {
      if (await unlinkIfExists(join(this.sessionsDir, `${encodeName(id)}${SESSION_EXT}`))) {
        removed = true;
      }
    });
    if (removed && this.durable) await syncDir(this.sessionsDir);
    for (const id of ids) this.commits.note(id, 0);
    // One listing instead of a rename attempt per session: most sessions have no messages.
    const folders = new Set(await readdir(this.messagesDir));
    const withMessages = ids.filter((id) => folders.has(encodeName(id)));
    await eachLimit(withMessages, (id) => this.removeMessages(id));
  }

  /** Deletes a session file (the commit point), then its message folder. */
  async removeSession(id: string): Promise<void> {
    if (await unlinkIfExists(join(this.sessionsDir, `${encodeName(id)}${SESSION_EXT}`))) {
      if (this.durable) await syncDir(this.sessionsDir);
    }
    this.commits.note(id, 0);
    await this.removeMessages(id);
  }

  /** The folder holding a session's log segments and idempotency markers. */
  messageFolder(id: string): string {
    return join(this.messagesDir, encodeName(id));
  }

  /** Deletes a session's message folder, if any. */
  removeMessages(id: string): Promise<void> {
    return removeTree(this.messagesDir, encodeName(id));
  }

  /** File names of stored sessions (temporary and foreign files left out). */
  sessionFiles(): Promise<string[]> {
    return listStems(this.sessionsDir, SESSION_EXT);
  }

  /** The kv record, or `undefined`; a damaged file is a `CorruptionError`. */
  async readKv(key: string): Promise<KvRecord | undefined> {
    return this.readKvFile(`${encodeName(key)}${KV_EXT}`, key);
  }

  /** Reads a kv file by name, checking it holds `expectedKey` when given. */
  async readKvFile(file: string, expectedKey?: string): Promise<KvRecord | undefined> {
    const raw = await readIfExists(join(this.kvDir, file));
    if (raw === undefined) return undefined;
    const what = `kv file ${file}${expectedKey === undefined ? '' : ` (key ${JSON.stringify(expectedKey)})`}`;
    const record = unseal(raw, what) as KvRecord;
    if (typeof record?.key !== 'string' || typeof record.value !== 'string') {
      throw new CorruptionError(`${what} does not hold a kv entry`, { adapter: ADAPTER });
    }
    if (expectedKey !== undefined && record.key !== expectedKey) {
      throw new CorruptionError(`${what} holds another key`, { adapter: ADAPTER });
    }
    return record;
  }

  /** Writes a kv file atomically. */
  writeKv(record: KvRecord): Promise<void> {
    return writeAtomic(
      this.kvDir,
      `${encodeName(record.key)}${KV_EXT}`,
      seal(record),
      this.durable,
    );
  }

  /** Deletes a kv file; returns whether it existed. */
  async removeKv(key: string): Promise<boolean> {
    const removed = await unlinkIfExists(join(this.kvDir, `${encodeName(key)}${KV_EXT}`));
    if (removed && this.durable) await syncDir(this.kvDir);
    return removed;
  }

  /** File names of stored kv entries. */
  kvFiles(): Promise<string[]> {
    return listStems(this.kvDir, KV_EXT);
  }
}

/** Names in `dir` ending in `ext` whose stem this adapter produced. */
async function listStems(dir: string, ext: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter(
    (name) => name.endsWith(ext) && decodeName(name.slice(0, -ext.length)) !== undefined,
  );
}

/** The id a stored file name stands for, or `null` when the name is hashed. */
export function idOfFile(file: string): string | null {
  return decodeName(file.slice(0, file.lastIndexOf('.'))) ?? null;
}
