import { CorruptionError } from '@stowage/core';

const CONCURRENCY = 16;

/**
 * Reads every file in `files` with `read`, a few at a time, and returns the records found.
 * A damaged file does not stop a scan of the whole folder: it is reported once per scan as a
 * process warning (code `STOWAGE_FILE_CORRUPT`) and left out, while direct reads of that
 * item keep failing with `CorruptionError`.
 */
export async function scanFiles<T>(
  files: readonly string[],
  read: (file: string) => Promise<T | undefined>,
): Promise<T[]> {
  const found: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++] as string;
      try {
        const record = await read(file);
        if (record !== undefined) found.push(record);
      } catch (error) {
        if (!(error instanceof CorruptionError)) throw error;
        process.emitWarning(`${error.message}; skipped while scanning`, {
          code: 'STOWAGE_FILE_CORRUPT',
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  return found;
}
