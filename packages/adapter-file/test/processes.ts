import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const fixtures = join(import.meta.dirname, 'fixtures');

/** Starts a fixture script in a new Node.js process with stdout piped. */
export function startChild(script: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [join(fixtures, script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: join(import.meta.dirname, '..'),
  });
}

/** Resolves with the exit code of a child; stderr is collected into the error on failure. */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** Calls `onLine` for every complete stdout line of a child. */
export function onLines(child: ChildProcess, onLine: (line: string) => void): void {
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
}
