import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// An app that installed @stowage/core but no adapter package: the built package in a folder of
// its own, next to nothing but its dependency zod.
const app = mkdtempSync(join(tmpdir(), 'stowage-missing-adapter-'));
const installed = join(app, 'node_modules', '@stowage', 'core');
mkdirSync(installed, { recursive: true });
cpSync(join(packageDir, 'dist'), join(installed, 'dist'), { recursive: true });
cpSync(join(packageDir, 'package.json'), join(installed, 'package.json'));
symlinkSync(join(packageDir, 'node_modules', 'zod'), join(app, 'node_modules', 'zod'), 'dir');

afterAll(() => rmSync(app, { recursive: true, force: true }));

async function errorFor(
  file: string,
  source: string,
): Promise<{ name: string; code: string; message: string }> {
  writeFileSync(join(app, file), source);
  const { stdout } = await run(process.execPath, [join(app, file)], { cwd: app });
  return JSON.parse(stdout) as { name: string; code: string; message: string };
}

describe('createStorage with an adapter package that is not installed', () => {
  it('fails with a ConfigError naming the package and driver to install, without the password (ESM)', async () => {
    const error = await errorFor(
      'esm.mjs',
      `import { createStorage } from '@stowage/core';
       const storage = createStorage('redis://user:hunter2@localhost:6379');
       const e = await storage.kv.get('k').catch((e) => e);
       console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message }));`,
    );
    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain('npm install @stowage/adapter-redis ioredis');
    expect(error.message).not.toContain('hunter2');
  });

  it('fails the same way from CommonJS', async () => {
    const error = await errorFor(
      'cjs.cjs',
      `const { createStorage } = require('@stowage/core');
       createStorage('sqlite:./app.db').sessions.get('s').catch((e) =>
         console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })));`,
    );
    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain('npm install @stowage/adapter-sqlite better-sqlite3');
  });
});
