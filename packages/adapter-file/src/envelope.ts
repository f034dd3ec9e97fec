import { createHash } from 'node:crypto';
import { CorruptionError } from '@stowage/core';
import { ADAPTER } from './errors.js';

const MAGIC = 'stowage-file-1';

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Wraps a JSON body in the on-disk format: one header line `stowage-file-1 <sha256 of body>`,
 * then the body. The checksum lets a reader tell a damaged file from a valid one.
 */
export function seal(body: unknown): string {
  const text = JSON.stringify(body);
  return `${MAGIC} ${digest(text)}\n${text}`;
}

/**
 * Checks a file written by `seal` and returns its parsed body, or throws `CorruptionError`
 * naming `what` when the header, checksum or JSON is wrong.
 */
export function unseal(raw: string, what: string): unknown {
  const newline = raw.indexOf('\n');
  const header = newline < 0 ? raw : raw.slice(0, newline);
  const text = raw.slice(newline + 1);
  const [magic, sum] = header.split(' ');
  if (newline < 0 || magic !== MAGIC || sum !== digest(text)) {
    throw new CorruptionError(`${what} is damaged: its checksum does not match its content`, {
      adapter: ADAPTER,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CorruptionError(`${what} does not hold valid JSON`, {
      adapter: ADAPTER,
      cause: error,
    });
  }
}

/** One message-log line: a 16-hex-digit checksum, a space, the message as a JSON string. */
export function sealLine(message: string): string {
  const text = JSON.stringify(message);
  return `${digest(text).slice(0, 16)} ${text}\n`;
}

/** Reads a line written by `sealLine`; `undefined` when it is torn or damaged. */
export function unsealLine(line: string): string | undefined {
  const text = line.slice(17);
  if (line[16] !== ' ' || digest(text).slice(0, 16) !== line.slice(0, 16)) return undefined;
  const value: unknown = JSON.parse(text);
  return typeof value === 'string' ? value : undefined;
}
