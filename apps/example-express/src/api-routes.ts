import { logOut } from '@stowage/express-middleware';
import { type Request, Router } from 'express';
import { type ChatService, userFromName } from './chat-service.js';
import { currentUser, requireUser, signIn, userOf } from './session-user.js';

function body(req: Request): Record<string, unknown> {
  const value: unknown = req.body;
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The JSON API under `/api`, the same operations as the pages: `POST /signin {name}`,
 * `POST /signout`, `GET /me`, `GET|POST /conversations`, `GET /conversations/:id` and
 * `POST /conversations/:id/messages {text, turnId?}`. Anonymous calls get a 401.
 */
export function apiRoutes(chat: ChatService): Router {
  const router = Router();
  const signedIn = requireUser((_req, res) => {
    res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first' } });
  });

  router.post('/signin', async (req, res) => {
    const user = userFromName(body(req).name);
    await signIn(req, user);
    res.json({ user });
  });

  router.post('/signout', async (req, res) => {
    if (req.session) await logOut(req);
    res.status(204).end();
  });

  router.get('/me', (req, res) => {
    const user = currentUser(req);
    if (user) res.json({ user });
    else res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Not signed in' } });
  });

  router.get('/conversations', signedIn, async (req, res) => {
    res.json(await chat.list(userOf(res), optionalString(req.query.cursor)));
  });

  router.post('/conversations', signedIn, async (req, res) => {
    const user = userOf(res);
    const { text, turnId } = body(req);
    const conversation = await chat.start(user);
    if (typeof text === 'string' && text.trim() !== '') {
      res.status(201).json(await chat.say(user, conversation.id, text, optionalString(turnId)));
    } else {
      res.status(201).json({ conversation, messages: [] });
    }
  });

  router.get('/conversations/:id', signedIn, async (req, res) => {
    res.json(await chat.open(userOf(res), req.params.id as string));
  });

  router.post('/conversations/:id/messages', signedIn, async (req, res) => {
    const { text, turnId } = body(req);
    const turn = await chat.say(userOf(res), req.params.id as string, text, optionalString(turnId));
    res.status(201).json(turn);
  });

  return router;
}
