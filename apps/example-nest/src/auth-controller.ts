import { Body, Controller, Get, HttpCode, Post, Req, UnauthorizedException } from '@nestjs/common';
import { logIn, logOut } from '@stowage/express-middleware';
import type { Request } from 'express';
import { type User, userNamed } from './chat-service.js';
import { userOf } from './current-user.js';

/** Signs a user in with `logIn` (a new session id labelled `{ userId }`), and out with `logOut`. */
export async function signIn(req: Request, name: unknown): Promise<User> {
  const user = userNamed(name);
  await logIn(req, user.id);
  req.session.user = user;
  return user;
}

/** Ends the request's session, deleting it from the storage; a no-op without one. */
export async function signOut(req: Request): Promise<void> {
  if (req.session) await logOut(req);
}

/** `POST /api/signin {name}`, `POST /api/signout` and `GET /api/me`. */
@Controller('api')
export class AuthController {
  /** Signs in under a display name. */
  @Post('signin')
  @HttpCode(200)
  async signIn(@Req() req: Request, @Body() body: { name?: unknown }): Promise<{ user: User }> {
    return { user: await signIn(req, body?.name) };
  }

  /** Signs out. */
  @Post('signout')
  @HttpCode(204)
  async signOut(@Req() req: Request): Promise<void> {
    await signOut(req);
  }

  /** The signed-in user, or a 401. */
  @Get('me')
  me(@Req() req: Request): { user: User } {
    const user = userOf(req);
    if (!user) throw new UnauthorizedException('Not signed in');
    return { user };
  }
}
