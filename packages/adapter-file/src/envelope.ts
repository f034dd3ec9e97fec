import { createHash } from 'node:crypto';
import { CorruptionError } from '@stowage/core';
import { ADAPTER } from './errors.js';

const MAGIC = 'stowage-file-1';
/**
 * Header of a session file whose message log commits by its own frames (see `LogState`).
 * Older versions of the adapter do not know it and refuse the file as damaged instead of
 * misreading the log.
 */
const MAGIC_FRAMES = 'stowage-file-2';

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Wraps a JSON body in the on-disk format: one header line `stowage-file-1 <sha256 of body>`,
 * then the body. The checksum lets a reader tell a damaged file from a valid one.
 */
export function seal(body: unknown, framed = false): string {
  const text = JSON.stringify(body);
  return `${framed ? MAGIC_FRAMES : MAGIC} ${digest(text)}\n${text}`;
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
  if (newline < 0 || (magic !== MAGIC && magic !== MAGIC_FRAMES) || sum !== digest(text)) {
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

/**
 * Reads a line written by `sealLine` (a message, JSON string) or `sealFrame` (a frame, JSON
 * object); `undefined` when it is torn or damaged. Takes the line without its newline.
 */
export function unsealAny(line: string): unknown {
  const text = line.slice(17);
  if (line[16] !== ' ' || digest(text).slice(0, 16) !== line.slice(0, 16)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A checksum match on invalid JSON is a damaged line like any other.
    return undefined;
  }
}

/** Reads a line written by `sealLine`; `undefined` when it is torn or damaged. */
export function unsealLine(line: string): string | undefined {
  const value = unsealAny(line);
  return typeof value === 'string' ? value : undefined;
}

/** One append frame: every message of one append, committed together by one line. */
export interface Frame {
  /** Messages in the segment after this append. */
  n: number;
  /** Messages ever appended in this incarnation after this append. */
  t: number;
  /** The append's `now`: the session's `updatedAt` once the frame is the newest. */
  at: number;
  /** The appended messages (JSON text each). */
  m: string[];
}

/** One frame line: the same checksum prefix as `sealLine`, then the frame as a JSON object. */
export function sealFrame(frame: Frame): string {
  const text = JSON.stringify(frame);
  return `${digest(text).slice(0, 16)} ${text}\n`;
}

/** The frame in a line, or `undefined` when it is not a whole, valid frame. */
export function asFrame(value: unknown): Frame | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const f = value as Partial<Frame>;
  return typeof f.n === 'number' &&
    typeof f.t === 'number' &&
    typeof f.at === 'number' &&
    Array.isArray(f.m) &&
    f.m.every((m) => typeof m === 'string')
    ? (f as Frame)
    : undefined;
}
