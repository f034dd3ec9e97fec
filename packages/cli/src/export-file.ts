import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CorruptionError, type MigrationRecord, ValidationError } from '@stowage/core';

/** Format tag of the first line of an export file. */
export const EXPORT_FORMAT = 'stowage-export';
/** Version of the export format. */
export const EXPORT_VERSION = 1;

/** The first line of an export. */
export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: number;
  /** Adapter the data came from. */
  adapter: string;
  /** When the export started, epoch ms. */
  exportedAt: number;
}

/** The last line of an export: a SHA-256 over every byte before it, and the line count. */
export interface ChecksumLine {
  kind: 'checksum';
  sha256: string;
  lines: number;
}

/**
 * Writes an export as JSON lines: a header, one line per record (`MigrationRecord`), and a
 * checksum line over everything before it, so a truncated or edited file is refused on import.
 */
export class ExportWriter {
  private readonly hash: Hash = createHash('sha256');
  private lines = 0;

  constructor(private readonly emit: (line: string) => Promise<void>) {}

  /** Writes one line (header or record). */
  async line(value: ExportHeader | MigrationRecord): Promise<void> {
    const text = JSON.stringify(value);
    this.hash.update(`${text}\n`);
    this.lines++;
    await this.emit(text);
  }

  /** Writes the checksum line; nothing may follow it. */
  async end(): Promise<ChecksumLine> {
    const checksum: ChecksumLine = {
      kind: 'checksum',
      sha256: this.hash.digest('hex'),
      lines: this.lines,
    };
    await this.emit(JSON.stringify(checksum));
    return checksum;
  }
}

function lines(path: string): AsyncIterable<string> {
  return createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
}

/**
 * Reads an export file once to check its checksum line; a missing, malformed or wrong checksum
 * is a `CorruptionError`, so nothing is imported from a damaged file. Returns the header.
 */
export async function checkExportFile(path: string): Promise<ExportHeader> {
  const hash = createHash('sha256');
  let count = 0;
  let previous: string | undefined;
  let header: ExportHeader | undefined;
  for await (const text of lines(path)) {
    if (previous !== undefined) {
      hash.update(`${previous}\n`);
      count++;
    }
    if (previous === undefined) header = parseHeader(text);
    previous = text;
  }
  let checksum: Partial<ChecksumLine> | undefined;
  try {
    checksum = previous === undefined ? undefined : (JSON.parse(previous) as Partial<ChecksumLine>);
  } catch {
    // An unparsable last line is reported below, as a file without a checksum.
    checksum = undefined;
  }
  if (checksum?.kind !== 'checksum') {
    throw new CorruptionError(`${path} has no checksum line; it is truncated or not an export`);
  }
  const actual = hash.digest('hex');
  if (checksum.sha256 !== actual || checksum.lines !== count) {
    throw new CorruptionError(
      `${path} does not match its checksum (file ${actual.slice(0, 16)}…/${count} lines, recorded ${String(checksum.sha256).slice(0, 16)}…/${String(checksum.lines)}); refusing to import`,
    );
  }
  return header as ExportHeader;
}

function parseHeader(text: string): ExportHeader {
  let header: Partial<ExportHeader>;
  try {
    header = JSON.parse(text) as Partial<ExportHeader>;
  } catch (error) {
    throw new CorruptionError('The first line of the export is not JSON', { cause: error });
  }
  if (header.format !== EXPORT_FORMAT) {
    throw new CorruptionError('The file is not a Stowage export (bad header line)');
  }
  if (header.version !== EXPORT_VERSION) {
    throw new CorruptionError(`Export format version ${String(header.version)} is not supported`);
  }
  return header as ExportHeader;
}

/** The records of a checked export file, streamed (header and checksum lines left out). */
export async function* readExportRecords(path: string): AsyncGenerator<MigrationRecord> {
  let index = 0;
  for await (const text of lines(path)) {
    index++;
    if (index === 1) continue;
    let value: { kind?: unknown };
    try {
      value = JSON.parse(text) as { kind?: unknown };
    } catch (error) {
      throw new ValidationError(`Line ${index} of the export is not JSON`, { cause: error });
    }
    if (value.kind === 'checksum') return;
    yield value as MigrationRecord;
  }
}
