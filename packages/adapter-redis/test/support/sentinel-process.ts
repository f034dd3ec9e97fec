import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answers, pollUntil } from './redis-process.js';

/** A redis-sentinel on `port` watching the primary on `primaryPort` under `name`. */
export interface SentinelProcess {
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** Builds a sentinel with a quorum of one (enough for a test: nothing fails over here). */
export function sentinelProcess(port: number, name: string, primaryPort: number): SentinelProcess {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-sentinel-'));
  const config = join(dir, 'sentinel.conf');
  let child: ChildProcess | undefined;
  return {
    async start() {
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
          `sentinel down-after-milliseconds ${name} 5000`,
        ].join('\n'),
      );
      child = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
      await pollUntil(`sentinel on ${port}`, () => answers(port));
    },
    async destroy() {
      if (child && child.exitCode === null && child.signalCode === null) {
        const c = child;
        await new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
