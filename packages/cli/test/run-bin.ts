import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built executable, as `npm i -g @stowage/cli` installs it. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** What a run of the executable produced. */
export interface BinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `stowage` executable in a child process (bounded by a timeout). */
export function runBin(
  args: string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stowage ${args.join(' ')} did not finish within 60 s\n${stderr}`));
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
