import { Body, Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ValidationError } from '@stowage/core';
import type { Request, Response } from 'express';
import { signIn, signOut } from './auth-controller.js';
import { ChatService, type User } from './chat-service.js';
import { userOf } from './current-user.js';
import { conversationPage, listPage, signInPage } from './pages.js';

interface FormBody {
  name?: unknown;
  text?: unknown;
  turnId?: unknown;
}

function html(res: Response, body: string, status = 200): void {
  res.status(status).type('html').send(body);
}

function turnOf(body: FormBody | undefined): string | undefined {
  return typeof body?.turnId === 'string' && body.turnId !== '' ? body.turnId : undefined;
}

/**
 * The server-rendered pages: plain forms that post and redirect (303), so the browser's Back and
 * Reload never repost. Anonymous visitors are sent to the sign-in form.
 */
@Controller()
export class PagesController {
  constructor(@Inject(ChatService) private readonly chat: ChatService) {}

  /** The sign-in form, or the user's conversations. */
  @Get()
  async home(@Req() req: Request, @Res() res: Response): Promise<void> {
    const user = userOf(req);
    if (!user) return html(res, signInPage());
    html(res, listPage(user, (await this.chat.list(user)).items));
  }

  /** Signs in and goes to the conversations. */
  @Post('signin')
  async signIn(@Req() req: Request, @Res() res: Response, @Body() body: FormBody): Promise<void> {
    try {
      await signIn(req, body?.name);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return html(res, signInPage(error.message), 400);
    }
    res.redirect(303, '/');
  }

  /** Signs out. */
  @Post('signout')
  async signOut(@Req() req: Request, @Res() res: Response): Promise<void> {
    await signOut(req);
    res.redirect(303, '/');
  }

  /** Starts a conversation with the posted message. */
  @Post('chats')
  async start(@Req() req: Request, @Res() res: Response, @Body() body: FormBody): Promise<void> {
    const user = this.signedIn(req, res);
    if (!user) return;
    const { id } = await this.chat.start(user);
    if (typeof body?.text === 'string' && body.text.trim() !== '') {
      await this.chat.say(user, id, body.text, turnOf(body));
    }
    res.redirect(303, `/chats/${encodeURIComponent(id)}`);
  }

  /** One conversation. */
  @Get('chats/:id')
  async open(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const user = this.signedIn(req, res);
    if (!user) return;
    const { conversation, messages } = await this.chat.open(user, id);
    html(res, conversationPage(user, conversation, messages));
  }

  /** Continues a conversation. */
  @Post('chats/:id/messages')
  async say(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() body: FormBody,
  ): Promise<void> {
    const user = this.signedIn(req, res);
    if (!user) return;
    await this.chat.say(user, id, body?.text, turnOf(body));
    res.redirect(303, `/chats/${encodeURIComponent(id)}`);
  }

  private signedIn(req: Request, res: Response): User | null {
    const user = userOf(req);
    if (!user) res.redirect(303, '/');
    return user;
  }
}
