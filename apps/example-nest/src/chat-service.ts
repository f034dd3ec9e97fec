import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  NotFoundError,
  type Page,
  type Session,
  type Storage,
  ValidationError,
} from '@stowage/core';
import { InjectStorage } from '@stowage/nest-module';
import { answer, type Memory } from './agent.js';

/** A signed-in visitor. */
export interface User {
  /** Stable id derived from the name; the `userId` label of their sessions. */
  id: string;
  /** Display name as typed. */
  name: string;
}

/** A stored chat message. */
export interface Message {
  /** Author. */
  role: 'user' | 'agent';
  /** Content. */
  text: string;
  /** Epoch milliseconds. */
  at: number;
}

/** A conversation as the API returns it. */
export interface ConversationView {
  /** Session id. */
  id: string;
  /** Title, from the first message. */
  title: string;
  /** Creation time, epoch ms. */
  createdAt: number;
  /** Time of the last message, epoch ms. */
  updatedAt: number;
}

interface ConversationDoc {
  title: string;
  memory: Memory;
}

const STATE = 'conversation';
const UNTITLED = 'New conversation';
const TTL = '30d';

function view(session: Session<ConversationDoc>): ConversationView {
  const { id, data, createdAt, updatedAt } = session;
  return { id, title: data.title, createdAt, updatedAt };
}

/** Builds a user from a typed name; the same name is the same user (a demo without passwords). */
export function userNamed(input: unknown): User {
  const name = typeof input === 'string' ? input.trim().replace(/\s+/g, ' ') : '';
  if (name.length < 1 || name.length > 40) {
    throw new ValidationError('Enter a name of 1 to 40 characters');
  }
  return { id: `user:${name.toLocaleLowerCase()}`, name };
}

/**
 * Conversations on the injected storage: sessions in state `'conversation'` labelled
 * `{ userId }`, with their history in the session's message log. A conversation of someone else
 * is a `NotFoundError`, exactly like a missing one.
 */
@Injectable()
export class ChatService {
  constructor(@InjectStorage() private readonly storage: Storage) {}

  /** Creates an empty conversation. */
  async start(user: User): Promise<ConversationView> {
    const session = await this.storage.sessions.save<ConversationDoc>(
      {
        id: `chat:${randomUUID()}`,
        data: { title: UNTITLED, memory: {} },
        state: STATE,
        labels: { userId: user.id },
      },
      { expectedVersion: 0, ttl: TTL },
    );
    return view(session);
  }

  /** The user's conversations, newest first, 20 per page. */
  async list(user: User, cursor?: string): Promise<Page<ConversationView>> {
    const page = await this.storage.sessions.list<ConversationDoc>({
      state: STATE,
      labels: { userId: user.id },
      order: 'desc',
      limit: 20,
      ...(cursor ? { cursor } : {}),
    });
    return { items: page.items.map(view), cursor: page.cursor };
  }

  /** A conversation with its last 100 messages. */
  async open(
    user: User,
    id: string,
  ): Promise<{ conversation: ConversationView; messages: Message[] }> {
    const session = await this.find(user, id);
    const messages = await this.storage.messages.range<Message>(id, -100, -1);
    return { conversation: view(session), messages };
  }

  /**
   * Appends the user's message and the agent's answer in one idempotent append (a retried
   * `turnId` appends nothing), then saves what the agent learnt and the title, if either changed.
   */
  async say(
    user: User,
    id: string,
    input: unknown,
    turnId?: string,
  ): Promise<{ conversation: ConversationView; messages: Message[] }> {
    const text = typeof input === 'string' ? input.trim() : '';
    if (text.length < 1 || text.length > 2000) {
      throw new ValidationError('Write a message of 1 to 2000 characters');
    }
    const session = await this.find(user, id);
    const now = new Date();
    const reply = answer(text, session.data.memory, now);
    const messages: Message[] = [
      { role: 'user', text, at: now.getTime() },
      { role: 'agent', text: reply.text, at: now.getTime() },
    ];
    await this.storage.messages.append(id, messages, turnId ? { idempotencyKey: turnId } : {});
    if (session.data.title !== UNTITLED && reply.memory === session.data.memory) {
      await this.storage.sessions.touch(id, TTL);
      return { conversation: { ...view(session), updatedAt: now.getTime() }, messages };
    }
    const saved = await this.storage.sessions.update<ConversationDoc>(
      id,
      (current) =>
        current
          ? {
              data: {
                title: current.data.title === UNTITLED ? text.slice(0, 48) : current.data.title,
                memory: { ...current.data.memory, ...reply.memory },
              },
            }
          : undefined,
      { ttl: TTL },
    );
    if (!saved) throw new NotFoundError('No such conversation');
    return { conversation: view(saved), messages };
  }

  private async find(user: User, id: string): Promise<Session<ConversationDoc>> {
    const session = await this.storage.sessions.get<ConversationDoc>(id);
    if (session?.state !== STATE || session.labels.userId !== user.id) {
      throw new NotFoundError('No such conversation');
    }
    return session;
  }
}
