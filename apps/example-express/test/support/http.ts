import type { Response } from 'supertest';

/** The `sid` Set-Cookie line of a response, or undefined when it sets none. */
export function sessionCookie(reply: Response): string | undefined {
  const header = reply.headers['set-cookie'] as unknown as string[] | undefined;
  return header?.find((line) => line.startsWith('sid='));
}

/** The `name=value` part of a Set-Cookie line, as a client sends it back. */
export function cookiePair(setCookie: string): string {
  return setCookie.split(';')[0] as string;
}

/** The conversation id in a redirect to `/chats/<id>`. */
export function conversationIdOf(reply: Response): string {
  const location = reply.headers.location as string | undefined;
  const match = location ? /^\/chats\/([^/#?]+)/.exec(location) : null;
  if (!match?.[1]) throw new Error(`expected a redirect to a conversation, got ${location}`);
  return decodeURIComponent(match[1]);
}
