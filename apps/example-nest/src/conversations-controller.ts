import { Body, Controller, Get, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { Page } from '@stowage/core';
import { ChatService, type ConversationView, type Message, type User } from './chat-service.js';
import { CurrentUser, SignedInGuard } from './current-user.js';

interface MessageBody {
  text?: unknown;
  turnId?: unknown;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The conversation API under `/api/conversations`, for signed-in users only. */
@Controller('api/conversations')
@UseGuards(SignedInGuard)
export class ConversationsController {
  constructor(@Inject(ChatService) private readonly chat: ChatService) {}

  /** The user's conversations, newest first. */
  @Get()
  list(
    @CurrentUser() user: User,
    @Query('cursor') cursor?: string,
  ): Promise<Page<ConversationView>> {
    return this.chat.list(user, optionalString(cursor));
  }

  /** Starts a conversation, with a first message when `text` is given. */
  @Post()
  async start(
    @CurrentUser() user: User,
    @Body() body: MessageBody,
  ): Promise<{ conversation: ConversationView; messages: Message[] }> {
    const conversation = await this.chat.start(user);
    const text = body?.text;
    if (typeof text === 'string' && text.trim() !== '') {
      return this.chat.say(user, conversation.id, text, optionalString(body.turnId));
    }
    return { conversation, messages: [] };
  }

  /** One conversation with its latest messages. */
  @Get(':id')
  open(
    @CurrentUser() user: User,
    @Param('id') id: string,
  ): Promise<{ conversation: ConversationView; messages: Message[] }> {
    return this.chat.open(user, id);
  }

  /** Adds a message and the agent's answer. */
  @Post(':id/messages')
  say(
    @CurrentUser() user: User,
    @Param('id') id: string,
    @Body() body: MessageBody,
  ): Promise<{ conversation: ConversationView; messages: Message[] }> {
    return this.chat.say(user, id, body?.text, optionalString(body?.turnId));
  }
}
