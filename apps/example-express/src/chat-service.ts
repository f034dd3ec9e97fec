import { randomUUID } from 'node:crypto';
import {
  NotFoundError,
  type Page,
  type Session,
  type Storage,
  type Ttl,
  ValidationError,
} from '@stowage/core';
import { type AgentMemory, agentReply } from './agent.js';

/** A signed-in visitor: a stable id derived from the display name, and the name itself. */
export interface ChatUser {
  /** Label value that ties conversations (and login sessions) to the user. */
  id: string;
  /** The name the visitor typed when signing in. */
  name: string;
}

/** One message of a conversation as stored with `storage.messages`. */
export interface ChatMessage {
  /** Who wrote it. */
  role: 'user' | 'agent';
  /** What was written. */
  text: string;
  /** When, in epoch milliseconds. */
  at: number;
}

/** The document of a conversation session. */
export interface ConversationData {
  /** Shown in the list of conversations; taken from the first message. */
  title: string;
  /** What the agent learnt in this conversation. */
  memory: AgentMemory;
}

/** A conversation as the pages and the JSON API show it. */
export interface Conversation {
  /** The conversation's session id. */
  id: string;
  /** Its title. */
  title: string;
  /** When it started, epoch milliseconds. */
  createdAt: number;
  /** When its last message was written, epoch milliseconds. */
  updatedAt: number;
}

/** One exchange: the conversation after it, and the user's message with the agent's answer. */
export interface ChatTurn {
  /** The conversation, with its title and `updatedAt` after the turn. */
  conversation: Conversation;
  /** The user's message and the agent's answer. */
  messages: ChatMessage[];
}

/** Options of `ChatService`. */
export interface ChatServiceOptions {
  /** How long a conversation lives after its last message; default `'30d'`. */
  conversationTtl?: Ttl;
  /** Longest message accepted, in characters; default 2000. */
  maxMessageLength?: number;
  /** Messages a conversation page shows, the most recent ones; default 100. */
  historyLimit?: number;
  /** Where the agent reads the time; default the system clock. */
  now?: () => Date;
}

/** State marking conversation sessions, so they never mix with login sessions of the same user. */
export const CONVERSATION_STATE = 'conversation';

const UNTITLED = 'New conversation';
const TITLE_LENGTH = 48;

/** Longest display name accepted at sign-in, in characters. */
export const MAX_NAME_LENGTH = 40;

/**
 * Turns a display name typed at sign-in into a user. The id is the trimmed, lower-cased name,
 * so signing in again under the same name finds the same conversations (this demo has no
 * passwords: anyone who types a name is that user).
 */
export function userFromName(input: unknown): ChatUser {
  const name = typeof input === 'string' ? input.trim().replace(/\s+/g, ' ') : '';
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new ValidationError(`Enter a name of 1 to ${MAX_NAME_LENGTH} characters`);
  }
  return { id: `user:${name.toLocaleLowerCase()}`, name };
}

function titleFrom(text: string): string {
  const line = text.trim().replace(/\s+/g, ' ');
  return line.length > TITLE_LENGTH ? `${line.slice(0, TITLE_LENGTH - 1)}…` : line;
}

function toConversation(session: Session<ConversationData>): Conversation {
  return {
    id: session.id,
    title: session.data.title,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
  };
}

/**
 * The chat's use of Stowage. A conversation is a session in state `'conversation'` labelled
 * `{ userId }`, so a user's conversations are one filtered `list`; its history is the session's
 * message log, appended two messages (the user's and the agent's) per turn, never rewriting the
 * session document. Everything a user asks for is checked to be theirs: another user's
 * conversation is reported as not found.
 */
export class ChatService {
  private readonly ttl: Ttl;
  private readonly maxMessageLength: number;
  private readonly historyLimit: number;
  private readonly now: () => Date;

  constructor(
    private readonly storage: Storage,
    options: ChatServiceOptions = {},
  ) {
    this.ttl = options.conversationTtl ?? '30d';
    this.maxMessageLength = options.maxMessageLength ?? 2000;
    this.historyLimit = options.historyLimit ?? 100;
    this.now = options.now ?? (() => new Date());
  }

  /** Starts an empty conversation for the user. */
  async start(user: ChatUser): Promise<Conversation> {
    const session = await this.storage.sessions.save<ConversationData>(
      {
        id: `chat:${randomUUID()}`,
        data: { title: UNTITLED, memory: {} },
        state: CONVERSATION_STATE,
        labels: { userId: user.id },
      },
      { expectedVersion: 0, ttl: this.ttl },
    );
    return toConversation(session);
  }

  /** One page of the user's conversations, newest first. */
  async list(user: ChatUser, cursor?: string): Promise<Page<Conversation>> {
    const page = await this.storage.sessions.list<ConversationData>({
      state: CONVERSATION_STATE,
      labels: { userId: user.id },
      order: 'desc',
      limit: 20,
      ...(cursor ? { cursor } : {}),
    });
    return { items: page.items.map(toConversation), cursor: page.cursor };
  }

  /** A conversation of the user with its latest messages; `NotFoundError` when it is not theirs. */
  async open(
    user: ChatUser,
    id: string,
  ): Promise<{ conversation: Conversation; messages: ChatMessage[] }> {
    const session = await this.owned(user, id);
    const messages = await this.storage.messages.range<ChatMessage>(id, -this.historyLimit, -1);
    return { conversation: toConversation(session), messages };
  }

  /**
   * Adds the user's message and the agent's answer to a conversation and returns both. With a
   * `turnId` (the message form carries a fresh one), a resubmitted form appends nothing
   * the second time. Resolves to the conversation as it is after the turn, and the two messages.
   */
  async say(user: ChatUser, id: string, input: unknown, turnId?: string): Promise<ChatTurn> {
    const text = typeof input === 'string' ? input.trim() : '';
    if (text.length === 0 || text.length > this.maxMessageLength) {
      throw new ValidationError(`Write a message of 1 to ${this.maxMessageLength} characters`);
    }
    const session = await this.owned(user, id);
    const now = this.now();
    const reply = agentReply(text, {
      memory: session.data.memory,
      displayName: user.name,
      now,
    });
    const turn: ChatMessage[] = [
      { role: 'user', text, at: now.getTime() },
      { role: 'agent', text: reply.text, at: now.getTime() },
    ];
    await this.storage.messages.append(id, turn, turnId ? { idempotencyKey: turnId } : {});

    const title = session.data.title === UNTITLED ? titleFrom(text) : session.data.title;
    if (title === session.data.title && reply.memory === session.data.memory) {
      await this.storage.sessions.touch(id, this.ttl);
      return {
        conversation: { ...toConversation(session), updatedAt: now.getTime() },
        messages: turn,
      };
    }
    // A conversation deleted meanwhile stays deleted: returning undefined writes nothing.
    const updated = await this.storage.sessions.update<ConversationData>(
      id,
      (current) =>
        current
          ? {
              data: {
                title: current.data.title === UNTITLED ? title : current.data.title,
                memory: { ...current.data.memory, ...reply.memory },
              },
            }
          : undefined,
      { ttl: this.ttl },
    );
    if (!updated) throw new NotFoundError('No such conversation');
    return { conversation: toConversation(updated), messages: turn };
  }

  private async owned(user: ChatUser, id: string): Promise<Session<ConversationData>> {
    const session = await this.storage.sessions.get<ConversationData>(id);
    if (!session || session.state !== CONVERSATION_STATE || session.labels.userId !== user.id) {
      throw new NotFoundError('No such conversation');
    }
    return session;
  }
}
