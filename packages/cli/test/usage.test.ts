import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';

describe('stowage usage and exit codes', () => {
  it('prints the command list and exits 2 without a command, 0 with --help', async () => {
    const bare = await runBin([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Commands:');
    const help = await runBin(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['migrate', 'inspect', 'export', 'import', 'sweep', 'doctor', 'rekey']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it('shows per-command help with its options', async () => {
    const r = await runBin(['export', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: stowage export <url> [options]');
    expect(r.stdout).toContain('-o, --out <file>');
    expect(r.stdout).toContain('--namespace <name>');
  });

  it('exits 2 with a pointer to the help on usage mistakes', async () => {
    const cases: [string[], string][] = [
      [['teleport'], 'unknown command "teleport"'],
      [['migrate', 'memory:'], 'missing <to-url>'],
      [['inspect', 'memory:', 'extra'], 'unexpected argument "extra"'],
      [['inspect', 'memory:', '--frobnicate'], "Unknown option '--frobnicate'"],
      [
        ['migrate', 'memory:', 'memory:', '--batch-size', 'lots'],
        '--batch-size must be a positive integer',
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runBin(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('--help');
    }
  });

  it('exits 2 on a configuration error (bad URL or option) and names its code', async () => {
    const cases: [string[], string][] = [
      [['inspect', 'mongodb://localhost/x'], 'Unknown storage URL scheme'],
      [['inspect', 'sqlite:./x.db', '--schema', 's'], '--schema applies to postgres:// URLs only'],
    ];
    for (const [args, message] of cases) {
      const r = await runBin(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('[CONFIG]');
      expect(r.stderr).toContain(message);
    }
  });

  it('prints the version, and help for a command with "help <command>"', async () => {
    const version = await runBin(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await runBin(['help', 'migrate']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: stowage migrate <from-url> <to-url> [options]');
    expect(help.stdout).toContain('Examples:');
    expect((await runBin(['help', 'teleport'])).code).toBe(2);
  });

  it('documents the exit codes in the main help and in each command that has more', async () => {
    const help = await runBin(['--help']);
    expect(help.stdout).toMatch(/^ {2}0 {2}success$/m);
    expect(help.stdout).toMatch(/^ {2}1 {2}failure: /m);
    expect(help.stdout).toMatch(/^ {2}2 {2}usage error: /m);
    for (const name of ['migrate', 'doctor', 'rekey']) {
      expect((await runBin([name, '--help'])).stdout, name).toMatch(/^Exit codes: 0 .*, 1 .*, 2 /m);
    }
  });
});

describe('secrets never appear in output', () => {
  const secret = 'Sup3r-s3cret';
  const unreachable = [
    `postgres://postgres:${secret}@127.0.0.1:1/test`,
    `redis://:${secret}@127.0.0.1:1`,
    `redis://127.0.0.1:1/?password=${secret}`,
  ];

  it('in results and driver errors of every command, for servers that cannot be reached', {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stowage-cli-secrets-'));
    try {
      const backup = join(dir, 'backup.jsonl');
      expect((await runBin(['export', 'memory:', '--out', backup])).code).toBe(0);
      const runs = unreachable.flatMap((url) =>
        [
          ['doctor', url],
          ['doctor', url, '--json'],
          ['inspect', url],
          ['export', url],
          ['import', url, '--in', backup],
          ['sweep', url],
          ['migrate', url, 'memory:'],
          ['migrate', 'memory:', url, '--verify'],
        ].map(async (args) => ({ args, r: await runBin(args) })),
      );
      for (const { args, r } of await Promise.all(runs)) {
        expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(1);
        expect(r.stdout + r.stderr, args.join(' ')).not.toContain(secret);
        // The failure is reported, not swallowed.
        expect(r.stdout + r.stderr, args.join(' ')).toMatch(/CONNECTION|TIMEOUT|FAIL/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const doctor = await runBin(['doctor', unreachable[0] as string]);
    expect(doctor.stdout).toContain('postgres://postgres:***@127.0.0.1:1/test');
    expect(doctor.stdout).toMatch(/FAIL\s+connectivity/);
  });

  it('when a reachable server refuses the login, or does not need the password', async () => {
    const refused = await runBin([
      'inspect',
      `postgres://no_such_role:${secret}@127.0.0.1:5432/test`,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('[CONFIG]');
    expect(refused.stderr).toContain('no_such_role');
    expect(refused.stdout + refused.stderr).not.toContain(secret);
    // The test Redis has no password: ioredis goes on without it.
    const unneeded = await runBin(['doctor', `redis://:${secret}@127.0.0.1:6379`]);
    expect(unneeded.code, unneeded.stdout).toBe(0);
    expect(unneeded.stdout).toContain('doctor redis://:***@127.0.0.1:6379');
    expect(unneeded.stdout + unneeded.stderr).not.toContain(secret);
  });

  it('for encryption keys, also when the keys are wrong', async () => {
    const key = 'a'.repeat(63);
    const r = await runBin(['rekey', 'memory:', '--current', 'k1'], {
      env: { STOWAGE_KEYS: JSON.stringify({ k1: key }) },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[CONFIG]');
    expect(r.stdout + r.stderr).not.toContain(key);
  });
});
