import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');

/** Resolves with the first stdout line matching `pattern`, or rejects when the process ends. */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before printing; saw ${seen}`)),
    );
  });
}

describe('main.ts (the built server)', () => {
  let child: ChildProcess | undefined;
  let cwd: string | undefined;

  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('serves on PORT=0 with SQLite under the cwd, warns about the secret, and closes the storage on SIGTERM', async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "pnpm run build" first`);
    cwd = mkdtempSync(join(tmpdir(), 'stowage-example-main-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
    delete env.STOWAGE_URL;
    delete env.STOWAGE_SECRET;
    child = spawn(process.execPath, [MAIN], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });

    const [, url] = await waitForLine(
      child,
      /Stowage example chat listening on (http:\/\/127\.0\.0\.1:\d+)\n/,
    );
    const home = await fetch(`${url}/`, { signal: AbortSignal.timeout(10_000) });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Sign in');
    const signIn = await fetch(`${url}/signin`, {
      method: 'POST',
      body: new URLSearchParams({ name: 'Ada' }),
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    expect(signIn.status).toBe(303);
    expect(existsSync(join(cwd, '.stowage', 'example.db'))).toBe(true);
    expect(stderr).toContain('STOWAGE_SECRET is not set');

    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The storage was closed: SQLite folds its write-ahead log back into the file on close.
    expect(existsSync(join(cwd, '.stowage', 'example.db-wal'))).toBe(false);
    expect(stderr).not.toMatch(/Error/);
  });
});
