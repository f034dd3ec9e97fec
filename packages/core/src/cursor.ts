import { ValidationError } from './errors.js';
import type { ListPosition } from './types.js';

/** Encodes a listing position as an opaque, URL-safe cursor. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString(
    'base64url',
  );
}

/** Decodes a cursor made by `encodeCursor`; anything else is a `ValidationError`. */
export function decodeCursor(cursor: unknown): ListPosition {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 2048) {
    throw new ValidationError('cursor must be a cursor string returned by a previous page');
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      Number.isSafeInteger(parsed[0]) &&
      typeof parsed[1] === 'string'
    ) {
      return { createdAt: parsed[0] as number, id: parsed[1] };
    }
  } catch (error) {
    throw new ValidationError('cursor is malformed', { cause: error });
  }
  throw new ValidationError('cursor is malformed');
}
