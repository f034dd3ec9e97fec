import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptionError, type StoredSession } from '@stowage/core';
import { seal, unseal } from './envelope.js';
import { ADAPTER } from './errors.js';
import { readIfExists, removeTree, syncDir, unlinkIfExists, writeAtomic } from './fs-io.js';
import { type LockSettings, queued, withLock, withLockIfFree } from './lock.js';
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

  /** Runs `task` holding the inter-process lock of one kv key. */
  withKvLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    return withLock(join(this.locksDir, `k-${encodeName(key)}.lock`), this.lock, task);
  }

  /** Runs `task` as the namespace's only sweeper, or returns `undefined` when one is running. */
  asSweeper<T>(task: () => Promise<T>): Promise<T | undefined> {
    return withLockIfFree(join(this.locksDir, 'sweep.lock'), this.lock, task);
  }

  /** The session file's record, or `undefined`; a damaged file is a `CorruptionError`. */
  async readSession(id: string): Promise<SessionRecord | undefined> {
    return this.readSessionFile(`${encodeName(id)}${SESSION_EXT}`, id);
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
      seal(record),
      this.durable,
    );
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
