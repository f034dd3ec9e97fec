import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT, runCli } from '../src/index.js';

function memoryIo(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: {
      write: (chunk: string) => {
        io.out += chunk;
        return true;
      },
    },
    stderr: {
      write: (chunk: string) => {
        io.err += chunk;
        return true;
      },
    },
  };
  return io;
}

describe('runCli (programmatic)', () => {
  it('returns exit codes instead of exiting, writing to the given streams', async () => {
    const io = memoryIo();
    expect(await runCli(['inspect', 'memory:', '--json'], io)).toBe(EXIT.ok);
    expect(JSON.parse(io.out)).toMatchObject({ adapter: 'memory', sessions: { total: 0 } });
    expect(await runCli(['nope'], memoryIo())).toBe(EXIT.usage);
    // An unknown URL scheme is a ConfigError: fixed on the command line, so a usage error.
    expect(await runCli(['migrate', 'memory:', 'nosuch:x'], memoryIo())).toBe(EXIT.usage);
  });

  it('scrubs passwords from everything it prints', async () => {
    const io = memoryIo();
    const code = await runCli(['doctor', 'redis://:pa55word-xyz@127.0.0.1:1'], io);
    expect(code).toBe(EXIT.failure);
    expect(io.out + io.err).not.toContain('pa55word-xyz');
    expect(io.out).toContain('redis://:***@127.0.0.1:1');
  });
});
