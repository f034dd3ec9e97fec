import { randomUUID } from 'node:crypto';
import type { ConversationView, Message, User } from './chat-service.js';

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const CSS =
  'body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1d2430}' +
  'li.user{color:#3557d6}li{margin:.3rem 0;white-space:pre-wrap}form{margin:1rem 0}' +
  'input[type=text]{width:70%;padding:.4rem}header{display:flex;justify-content:space-between}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Stowage chat (Nest)</title><style>${CSS}</style></head><body>${body}</body></html>`;
}

function header(user: User): string {
  return `<header><h1>Stowage chat</h1><form method="post" action="/signout">${escapeHtml(user.name)} <button>Sign out</button></form></header>`;
}

function composer(action: string): string {
  return `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="turnId" value="${randomUUID()}"><input type="text" name="text" aria-label="Message" maxlength="2000" required autofocus> <button>Send</button></form>`;
}

/** The sign-in form. */
export function signInPage(error?: string): string {
  return page(
    'Sign in',
    `<h1>Stowage chat</h1>${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}<form method="post" action="/signin"><input type="text" name="name" aria-label="Display name" maxlength="40" required autofocus> <button>Sign in</button></form>`,
  );
}

/** The user's conversations and a composer that starts a new one. */
export function listPage(user: User, conversations: ConversationView[]): string {
  const items = conversations
    .map((c) => `<li><a href="/chats/${encodeURIComponent(c.id)}">${escapeHtml(c.title)}</a></li>`)
    .join('');
  return page(
    'Conversations',
    `${header(user)}<h2>Start a conversation</h2>${composer('/chats')}<h2>Past conversations</h2><ul>${items || '<li>None yet.</li>'}</ul>`,
  );
}

/** One conversation and a composer that continues it. */
export function conversationPage(
  user: User,
  conversation: ConversationView,
  messages: Message[],
): string {
  const lines = messages
    .map(
      (m) =>
        `<li class="${m.role}"><b>${m.role === 'user' ? 'You' : 'Agent'}:</b> ${escapeHtml(m.text)}</li>`,
    )
    .join('');
  return page(
    conversation.title,
    `${header(user)}<p><a href="/">All conversations</a></p><h2>${escapeHtml(conversation.title)}</h2><ol>${lines}</ol>${composer(`/chats/${encodeURIComponent(conversation.id)}/messages`)}`,
  );
}
