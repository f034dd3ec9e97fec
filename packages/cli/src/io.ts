/** A stream the CLI writes text to: the slice of `process.stdout` it uses. */
export interface TextSink {
  write(chunk: string): boolean;
  /** Whether the stream is an interactive terminal (progress bars redraw in place). */
  readonly isTTY?: boolean;
  once?(event: 'drain', listener: () => void): unknown;
}

/** Where the CLI reads and writes: the process's streams for the bin, buffers in tests. */
export interface CliIo {
  /** Command output. */
  stdout: TextSink;
  /** Progress, warnings and errors. */
  stderr: TextSink;
  /** Input for `import` without `--in` (default: `process.stdin`). */
  stdin?: NodeJS.ReadableStream;
  /** Environment variables, for `rekey --keys-env` (default: `process.env`). */
  env?: Record<string, string | undefined>;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** Writes a line and waits for the sink to drain when it asks for it, so output stays bounded. */
export async function writeLine(sink: TextSink, line: string): Promise<void> {
  if (!sink.write(`${line}\n`) && sink.once) {
    await new Promise<void>((resolve) => sink.once?.('drain', resolve));
  }
}
