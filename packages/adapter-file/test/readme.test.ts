import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from './helpers.js';

const packageDir = join(import.meta.dirname, '..');

describe('README', () => {
  let dir = '';
  let script = '';
  beforeAll(async () => {
    dir = await tempDir('readme');
    script = join(packageDir, `.readme-example-${process.pid}.mjs`);
  });
  afterAll(async () => {
    await rm(script, { force: true });
    await removeDir(dir);
  });

  it('quick start runs as written against the built package', async () => {
    const readme = await readFile(join(packageDir, 'README.md'), 'utf8');
    const example = /## Quick start\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect((example as string).trim().split('\n').length).toBeLessThanOrEqual(10);
    // The example's folder is relative; point it at a temporary one, and print the result.
    const code = `${(example as string).replace("'./data'", JSON.stringify(dir))}\nconsole.log(JSON.stringify(history));\n`;
    await writeFile(script, code);
    const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: packageDir });
    expect(JSON.parse(stdout)).toEqual([{ role: 'user', text: 'Hi' }]);
  });

  /** Runs the first ts block under `heading` against the built package and returns its stdout. */
  async function runSection(heading: string): Promise<string> {
    const readme = await readFile(join(packageDir, 'README.md'), 'utf8');
    const example = new RegExp(`## ${heading}\\s+\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
    expect(example, heading).toBeDefined();
    await writeFile(script, (example as string).replace("'./data'", JSON.stringify(dir)));
    const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: packageDir });
    return stdout;
  }

  it('queues example enqueues, leases and acks a job, leaving the queue empty', async () => {
    const stdout = await runSection('Queues');
    expect(stdout).toContain('ready: 0');
    expect(stdout).toContain('leased: 0');
  });

  it('pub/sub example delivers the published message to its subscriber', async () => {
    const stdout = await runSection('Pub/sub');
    expect(stdout).toContain("got { id: 7, status: 'paid' }");
  });
});
