import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';
import { type Seeded, seedSqlite } from './seed.js';

const dir = mkdtempSync(join(tmpdir(), 'stowage-cli-export-'));
const source = `sqlite:${join(dir, 'source.db')}`;
const backup = join(dir, 'backup.jsonl');
let seeded: Seeded;

beforeAll(async () => {
  seeded = await seedSqlite(join(dir, 'source.db'), 40);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The record lines of an export (header and checksum left out). */
function records(text: string): string[] {
  return text.trimEnd().split('\n').slice(1, -1);
}

describe('stowage export / import', () => {
  it('exports JSONL with a header, one line per record and a checksum line', async () => {
    const r = await runBin(['export', source, '--out', backup]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `exported ${seeded.sessions} sessions, ${seeded.messages} messages, ${seeded.kv} kv entries`,
    );
    const lines = readFileSync(backup, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      format: 'stowage-export',
      version: 1,
      adapter: 'sqlite',
    });
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({
      kind: 'checksum',
      lines: lines.length - 1,
    });
    const kinds = lines.slice(1, -1).map((l) => (JSON.parse(l) as { kind: string }).kind);
    expect(kinds.filter((k) => k === 'session')).toHaveLength(seeded.sessions);
    expect(kinds.filter((k) => k === 'kv')).toHaveLength(seeded.kv);
  });

  it('refuses to overwrite an existing --out file', async () => {
    const r = await runBin(['export', source, '--out', backup]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('EEXIST');
  });

  it('imports into another backend exactly, from a file or from stdin, twice with the same result', async () => {
    const target = `file:${join(dir, 'files')}`;
    const first = await runBin(['import', target, '--in', backup]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(
      `imported ${seeded.sessions} sessions, ${seeded.messages} messages, ${seeded.kv} kv entries (exported from sqlite)`,
    );
    const again = await runBin(['import', target], { input: readFileSync(backup, 'utf8') });
    expect(again.code, again.stderr).toBe(0);
    const reexport = await runBin(['export', target]);
    expect(reexport.code, reexport.stderr).toBe(0);
    expect(records(reexport.stdout)).toEqual(records(readFileSync(backup, 'utf8')));
  });

  it('refuses a file whose checksum does not match, before writing anything', async () => {
    const text = readFileSync(backup, 'utf8');
    const tampered = join(dir, 'tampered.jsonl');
    writeFileSync(tampered, text.replace('hello 3', 'hello X'));
    const truncated = join(dir, 'truncated.jsonl');
    writeFileSync(truncated, text.split('\n').slice(0, 10).join('\n'));
    for (const file of [tampered, truncated]) {
      const targetPath = join(dir, `never-${file.length}.db`);
      const r = await runBin(['import', `sqlite:${targetPath}`, '--in', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[CORRUPTION]');
      expect(r.stderr).toMatch(/checksum/);
      expect(existsSync(targetPath)).toBe(false);
    }
  });
});
