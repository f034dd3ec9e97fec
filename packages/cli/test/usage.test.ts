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

  it('exits 1 on a configuration error and names its code', async () => {
    const r = await runBin(['inspect', 'mongodb://localhost/x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[CONFIG]');
    expect(r.stderr).toContain('Unknown storage URL scheme');
  });

  it('never prints a password given in a URL, even in errors', async () => {
    const url = 'postgres://postgres:Sup3r-s3cret@127.0.0.1:1/test';
    for (const args of [
      ['doctor', url],
      ['inspect', url],
      ['migrate', url, 'memory:'],
    ]) {
      const r = await runBin(args);
      expect(r.code, args[0]).toBe(1);
      expect(r.stdout + r.stderr).not.toContain('Sup3r-s3cret');
    }
    const doctor = await runBin(['doctor', url]);
    expect(doctor.stdout).toContain('postgres://postgres:***@127.0.0.1:1/test');
    expect(doctor.stdout).toMatch(/FAIL\s+connectivity/);
  });
});
