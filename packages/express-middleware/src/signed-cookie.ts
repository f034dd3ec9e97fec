import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Reads a named cookie from a `Cookie` header, or undefined. Values are URI-decoded the way
 * express-session's cookie parser decodes them; a malformed escape leaves the value as sent.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1);
    }
    try {
      return decodeURIComponent(value);
    } catch {
      // Not valid percent-encoding: the raw text is what the parser would keep too.
      return value;
    }
  }
  return undefined;
}

/**
 * The session id inside an express-session cookie value (`s:<id>.<signature>`), when one of the
 * secrets verifies its HMAC-SHA256 signature; otherwise undefined.
 */
export function unsignSessionId(value: string, secrets: readonly string[]): string | undefined {
  if (!value.startsWith('s:')) return undefined;
  const signed = value.slice(2);
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const id = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1));
  for (const secret of secrets) {
    const expected = Buffer.from(
      createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, ''),
    );
    if (expected.length === given.length && timingSafeEqual(expected, given)) return id;
  }
  return undefined;
}
