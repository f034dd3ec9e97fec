import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A throwaway redis-server owned by one test file, with its data directory. */
export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  /** Starts the server (again) on the same port and directory and waits until it answers. */
  start(): Promise<void>;
  /** Sends SIGKILL and waits for the process to exit: no shutdown, no final fsync. */
  kill(): Promise<void>;
  /** Stops the server and deletes its directory. */
  destroy(): Promise<void>;
}

/** Polls `probe` until it resolves true; rejects after `tries` attempts. */
export async function pollUntil(
  what: string,
  probe: () => Promise<boolean>,
  tries = 300,
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Whether something on `port` answers PING. */
export async function answers(port: number): Promise<boolean> {
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => null,
  });
  probe.on('error', () => {
    // A refused probe is the expected answer while the server is starting.
  });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } finally {
    probe.disconnect();
  }
}

/**
 * A redis-server on `port` with the persistence acknowledged writes need to survive kill -9:
 * `appendonly yes` and `appendfsync always` (fsync before every reply), no RDB snapshots.
 */
export function redisProcess(port: number, extraArgs: readonly string[] = []): RedisProcess {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-redis-'));
  let child: ChildProcess | undefined;
  const exited = (c: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) resolve();
      else c.once('exit', () => resolve());
    });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--save',
          '',
          ...extraArgs,
        ],
        { stdio: 'ignore' },
      );
      await pollUntil(`redis-server on ${port}`, () => answers(port));
    },
    async kill() {
      if (!child) return;
      const c = child;
      child = undefined;
      c.kill('SIGKILL');
      await exited(c);
    },
    async destroy() {
      if (child) {
        const c = child;
        child = undefined;
        c.kill('SIGTERM');
        await exited(c);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
