import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

/**
 * The worker's code, run as a CommonJS script (`eval`), so it needs no file of its own in
 * either build. It loads the same better-sqlite3 file as this thread, opens its own connection
 * with the main connection's `synchronous` setting (a checkpoint's fsyncs depend on it) and
 * answers each message with a passive checkpoint: `null` when it ran, the error's message when
 * it failed.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = ' + workerData.synchronous);
parentPort.on('message', () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage(null);
  } catch (error) {
    parentPort.postMessage(String(error && error.message ? error.message : error));
  }
});
`;

/**
 * The file of the better-sqlite3 this thread loaded, found in the CommonJS module cache (an ESM
 * import of a CommonJS package is cached there too; any base path gives the same cache). The
 * ESM build has no `require` and the CommonJS build no `import.meta`, and the worker's script
 * would otherwise resolve the package from the working folder, which need not see it.
 */
function driverFile(): string | undefined {
  const cache = createRequire(process.cwd()).cache;
  return Object.keys(cache).find((file) => cache[file]?.exports === Database);
}

/**
 * Runs the sweeper's `PRAGMA wal_checkpoint(PASSIVE)`. better-sqlite3 is synchronous, so on the
 * main connection a checkpoint's copy of WAL pages into the file and its two fsyncs hold the
 * event loop, for as long as the disk takes. For a file the adapter opened itself, it runs on
 * a worker thread with a connection of its own instead, started on first use, so the loop stays
 * free while the caller awaits it. The checkpoint is the same either way (passive: it copies
 * what no reader still needs, never waits for a lock, and fsyncs per `synchronous`). Any
 * failure of the worker (the driver cannot be loaded, the file cannot be opened, the thread
 * dies) ends it for good and the checkpoint runs on the main connection, as it always does for
 * a memory database or a connection the app owns (opened with options the worker cannot know).
 */
export class Checkpointer {
  private worker: Worker | undefined;
  /** Callers waiting for the worker, in the order their requests were posted. */
  private readonly waiting: ((ran: boolean) => void)[] = [];
  /** Set once the worker failed or the storage closed: no worker is started again. */
  private done: boolean;

  /**
   * `file`: the database file, when the adapter opened one itself (never for a memory
   * database); without it no worker is used.
   */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly file: string | undefined,
  ) {
    this.done = file === undefined;
  }

  /** Checkpoints the WAL, on the worker when there is one, else on the main connection. */
  async run(): Promise<void> {
    if (await this.onWorker()) return;
    if (this.db.open && !this.db.memory) this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  /** Whether the worker ran the checkpoint; `false` when there is no working worker. */
  private onWorker(): Promise<boolean> {
    const worker = this.start();
    if (!worker) return Promise.resolve(false);
    // Held only while a request is pending, so an idle worker never keeps the process alive.
    worker.ref();
    worker.postMessage(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private start(): Worker | undefined {
    if (this.worker || this.done) return this.worker;
    try {
      const driver = driverFile();
      if (driver === undefined) throw new Error('better-sqlite3 is not in the module cache');
      const synchronous = this.db.pragma('synchronous', { simple: true }) as number;
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { driver, file: this.file, synchronous },
      });
      worker.on('message', (error: string | null) => {
        if (error !== null) this.fail(worker);
        else this.answer(true);
      });
      worker.on('error', () => this.fail(worker));
      worker.on('exit', () => this.fail(worker));
      this.worker = worker;
      return worker;
    } catch {
      this.done = true;
      return undefined;
    }
  }

  /** Hands the next waiting caller its answer; lets the process exit once none waits. */
  private answer(ran: boolean): void {
    this.waiting.shift()?.(ran);
    if (this.waiting.length === 0) this.worker?.unref();
  }

  /** Ends the worker for good; callers still waiting fall back to the main connection. */
  private fail(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.done = true;
    void worker.terminate();
    while (this.waiting.length > 0) this.answer(false);
  }

  /**
   * Stops the worker (closing its connection) and waits until it is gone, so the main
   * connection closes last and removes the WAL as before.
   */
  async close(): Promise<void> {
    this.done = true;
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    // A sweep still waiting stops here anyway: nothing to fall back to on a closing storage.
    while (this.waiting.length > 0) this.waiting.shift()?.(true);
    await worker.terminate();
  }
}
