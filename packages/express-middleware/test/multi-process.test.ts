import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET } from './support/cart-app.js';
import { send } from './support/http.js';

const REQUESTS = 20;
const worker = join(import.meta.dirname, 'support', 'worker-app.mjs');

/** Starts one app process and resolves with its URL once it reports its port. */
function startWorker(file: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [worker, file, SECRET, String(REQUESTS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early with code ${code}`)));
    createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> }).once(
      'line',
      (line) => {
        const { port } = JSON.parse(line) as { port: number };
        resolve({ child, url: `http://127.0.0.1:${port}` });
      },
    );
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('serialize across processes sharing one SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-express-'));
  let workers: { child: ChildProcess; url: string }[] = [];

  beforeAll(async () => {
    const file = join(dir, 'sessions.db');
    // The first process creates the schema before the second opens the file.
    workers.push(await startWorker(file));
    workers.push(await startWorker(file));
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => stop(w.child)));
    workers = [];
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps all 20 items when 20 requests are spread over two processes', async () => {
    const [a, b] = workers as [(typeof workers)[0], (typeof workers)[0]];
    const { cookie } = await send(`${a.url}/start`);
    const replies = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        send(`${(i % 2 === 0 ? a : b).url}/cart/add?item=${i}`, { cookie }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(REQUESTS).fill(200));
    const pids = new Set(replies.map((r) => (JSON.parse(r.text) as { pid: number }).pid));
    expect(pids.size).toBe(2);
    const cart = await send(`${b.url}/cart`, { method: 'GET', cookie });
    expect((JSON.parse(cart.text) as { cart: string[] }).cart).toHaveLength(REQUESTS);
  });
});
