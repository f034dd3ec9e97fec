import { randomUUID } from 'node:crypto';
import { ValidationError } from '@stowage/core';
import { logOut } from '@stowage/express-middleware';
import { type Request, type Response, Router } from 'express';
import { type ChatService, userFromName } from './chat-service.js';
import { currentUser, requireUser, signIn, userOf } from './session-user.js';
import { chatPage, signInPage } from './views.js';

function send(res: Response, page: string, status = 200): void {
  res.status(status).type('html').send(page);
}

function chatPath(id: string): string {
  return `/chats/${encodeURIComponent(id)}`;
}

function field(req: Request, name: string): unknown {
  return (req.body as Record<string, unknown> | undefined)?.[name];
}

/** The server-rendered pages: sign-in, the conversation list, one conversation, sign-out. */
export function pageRoutes(chat: ChatService): Router {
  const router = Router();
  const signedIn = requireUser((_req, res) => res.redirect(303, '/'));

  async function renderChat(res: Response, id?: string, error?: string): Promise<void> {
    const user = userOf(res);
    const [page, open] = await Promise.all([
      chat.list(user),
      id === undefined ? undefined : chat.open(user, id),
    ]);
    send(
      res,
      chatPage({
        user,
        conversations: page.items,
        ...(open ? { open } : {}),
        turnId: randomUUID(),
        ...(error ? { error } : {}),
      }),
      error ? 400 : 200,
    );
  }

  router.get('/', (req, res) => {
    if (currentUser(req)) res.redirect(303, '/chats');
    else send(res, signInPage());
  });

  router.post('/signin', async (req, res) => {
    let user: ReturnType<typeof userFromName>;
    try {
      user = userFromName(field(req, 'name'));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      send(res, signInPage(error.message), 400);
      return;
    }
    await signIn(req, user);
    res.redirect(303, '/chats');
  });

  router.post('/signout', async (req, res) => {
    if (req.session) await logOut(req);
    res.redirect(303, '/');
  });

  router.get('/chats', signedIn, async (_req, res) => {
    await renderChat(res);
  });

  router.post('/chats', signedIn, async (req, res) => {
    const user = userOf(res);
    const text = field(req, 'text');
    const turnId = field(req, 'turnId');
    const conversation = await chat.start(user);
    if (typeof text === 'string' && text.trim() !== '') {
      await chat.say(user, conversation.id, text, typeof turnId === 'string' ? turnId : undefined);
    }
    res.redirect(303, chatPath(conversation.id));
  });

  router.get('/chats/:id', signedIn, async (req, res) => {
    await renderChat(res, req.params.id as string);
  });

  router.post('/chats/:id/messages', signedIn, async (req, res) => {
    const id = req.params.id as string;
    const turnId = field(req, 'turnId');
    try {
      await chat.say(
        userOf(res),
        id,
        field(req, 'text'),
        typeof turnId === 'string' ? turnId : undefined,
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderChat(res, id, error.message);
      return;
    }
    res.redirect(303, `${chatPath(id)}#end`);
  });

  return router;
}
