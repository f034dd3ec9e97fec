import type { ChatMessage, ChatUser, Conversation } from './chat-service.js';
import { html, SafeHtml } from './html.js';

// Our own constant, not user text: inserted as is (escaping would break its quoted selectors).
const STYLE = new SafeHtml(`
:root { color-scheme: light; --ink: #1d2430; --muted: #687385; --line: #e3e7ee; --accent: #3557d6;
  --accent-ink: #fff; --user: #e9efff; --agent: #f4f5f7; font-family: system-ui, -apple-system,
  "Segoe UI", Roboto, "Liberation Sans", sans-serif; color: var(--ink); }
* { box-sizing: border-box; }
body { margin: 0; background: #f7f8fb; }
header { display: flex; align-items: center; justify-content: space-between; gap: 1rem;
  padding: .75rem 1.25rem; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.05rem; margin: 0; }
header h1 span { color: var(--muted); font-weight: 400; }
.who { display: flex; align-items: center; gap: .75rem; color: var(--muted); font-size: .9rem; }
main { display: grid; grid-template-columns: 16rem 1fr; gap: 1.25rem; max-width: 64rem;
  margin: 1.25rem auto; padding: 0 1.25rem; }
nav, section, .card { background: #fff; border: 1px solid var(--line); border-radius: .75rem; }
nav { padding: .75rem; align-self: start; }
nav h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .06em; color: var(--muted);
  margin: .5rem .25rem .5rem; }
nav ul { list-style: none; margin: 0; padding: 0; }
nav li a { display: block; padding: .5rem .6rem; border-radius: .5rem; color: inherit;
  text-decoration: none; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
nav li a:hover { background: var(--agent); }
nav li a[aria-current="page"] { background: var(--user); font-weight: 600; }
nav small { display: block; color: var(--muted); font-size: .75rem; font-weight: 400; }
nav .empty { color: var(--muted); font-size: .9rem; padding: .25rem .6rem; }
section { display: flex; flex-direction: column; min-height: 28rem; }
section h2 { font-size: 1rem; margin: 0; padding: 1rem 1.25rem; border-bottom: 1px solid var(--line); }
ol.messages { list-style: none; margin: 0; padding: 1rem 1.25rem; flex: 1; display: flex;
  flex-direction: column; gap: .6rem; }
ol.messages li { max-width: 75%; padding: .55rem .8rem; border-radius: .8rem; white-space: pre-wrap;
  overflow-wrap: anywhere; line-height: 1.4; }
ol.messages li.user { align-self: flex-end; background: var(--user); border-bottom-right-radius: .2rem; }
ol.messages li.agent { align-self: flex-start; background: var(--agent); border-bottom-left-radius: .2rem; }
ol.messages time { display: block; font-size: .7rem; color: var(--muted); margin-top: .2rem; }
.hint { color: var(--muted); padding: 1rem 1.25rem; flex: 1; }
form.composer { display: flex; gap: .5rem; padding: .75rem; border-top: 1px solid var(--line); }
input[type="text"] { flex: 1; font: inherit; padding: .6rem .75rem; border: 1px solid var(--line);
  border-radius: .5rem; }
input[type="text"]:focus { outline: 2px solid var(--accent); outline-offset: -1px; }
button { font: inherit; padding: .55rem 1rem; border-radius: .5rem; border: 1px solid var(--accent);
  background: var(--accent); color: var(--accent-ink); cursor: pointer; }
button.quiet { background: transparent; color: var(--accent); }
form.inline { display: inline; margin: 0; }
.new { width: 100%; margin-bottom: .5rem; }
.card { max-width: 26rem; margin: 4rem auto; padding: 1.5rem; }
.card h2 { margin-top: 0; }
.card p { color: var(--muted); }
.card form { display: flex; gap: .5rem; }
.error { color: #b42318; background: #fef3f2; border: 1px solid #fecdca; border-radius: .5rem;
  padding: .5rem .75rem; margin: 0 0 1rem; }
@media (max-width: 40rem) { main { grid-template-columns: 1fr; } }
`);

function layout(title: string, user: ChatUser | null, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Stowage chat</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>Stowage chat <span>· agent demo</span></h1>
  ${
    user
      ? html`<div class="who">Signed in as <strong>${user.name}</strong>
    <form class="inline" method="post" action="/signout"><button class="quiet" type="submit">Sign out</button></form></div>`
      : null
  }
</header>
${body}
</body>
</html>
`.toString();
}

function errorBox(error: string | undefined): SafeHtml | null {
  return error ? html`<p class="error" role="alert">${error}</p>` : null;
}

/** The sign-in page: one field for a display name. */
export function signInPage(error?: string): string {
  return layout(
    'Sign in',
    null,
    html`<div class="card">
  <h2>Sign in</h2>
  ${errorBox(error)}
  <p>Pick a display name. Sign in with the same name later to find your conversations again.</p>
  <form method="post" action="/signin">
    <input type="text" name="name" aria-label="Display name" placeholder="Your name" maxlength="40" required autofocus>
    <button type="submit">Sign in</button>
  </form>
</div>`,
  );
}

function clock(at: number): string {
  return `${new Date(at).toISOString().slice(11, 16)} UTC`;
}

/** What the chat page shows: the user's conversations and, optionally, one of them opened. */
export interface ChatPageModel {
  /** The signed-in user. */
  user: ChatUser;
  /** The user's conversations, newest first. */
  conversations: Conversation[];
  /** The conversation being read, with its latest messages. */
  open?: { conversation: Conversation; messages: ChatMessage[] };
  /** A fresh idempotency key for the next message. */
  turnId: string;
  /** A problem with the last form to show above the composer. */
  error?: string;
}

/** The chat page: past conversations on the left, the open conversation and a composer. */
export function chatPage(model: ChatPageModel): string {
  const { user, conversations, open, turnId, error } = model;
  const list = conversations.map(
    (item) =>
      html`<li><a href="/chats/${encodeURIComponent(item.id)}"${
        open?.conversation.id === item.id ? html` aria-current="page"` : null
      }>${item.title}<small>${new Date(item.updatedAt).toISOString().slice(0, 10)}</small></a></li>`,
  );
  const action = open ? `/chats/${encodeURIComponent(open.conversation.id)}/messages` : '/chats';
  const messages = open?.messages.length
    ? html`<ol class="messages">${open.messages.map(
        (message) =>
          html`<li class="${message.role}">${message.text}<time datetime="${new Date(message.at).toISOString()}">${message.role === 'user' ? 'You' : 'Agent'} · ${clock(message.at)}</time></li>`,
      )}</ol>`
    : html`<p class="hint">Say hello to start. Type <strong>help</strong> to see what the agent understands.</p>`;

  return layout(
    open ? open.conversation.title : 'Conversations',
    user,
    html`<main>
  <nav aria-label="Conversations">
    <form method="post" action="/chats"><button class="new quiet" type="submit">+ New conversation</button></form>
    <h2>Past conversations</h2>
    ${list.length > 0 ? html`<ul>${list}</ul>` : html`<p class="empty">None yet.</p>`}
  </nav>
  <section aria-label="Chat">
    <h2>${open ? open.conversation.title : 'New conversation'}</h2>
    ${messages}
    ${errorBox(error)}
    <form class="composer" method="post" action="${action}" id="end">
      <input type="hidden" name="turnId" value="${turnId}">
      <input type="text" name="text" aria-label="Message" placeholder="Write a message" maxlength="2000" autocomplete="off" required autofocus>
      <button type="submit">Send</button>
    </form>
  </section>
</main>`,
  );
}

/** A small page for errors that have no better place to be shown. */
export function errorPage(status: number, message: string, user: ChatUser | null): string {
  return layout(
    `Error ${status}`,
    user,
    html`<div class="card"><h2>${status === 404 ? 'Not found' : 'Something went wrong'}</h2>
  <p>${message}</p><p><a href="/">Back to the chat</a></p></div>`,
  );
}
