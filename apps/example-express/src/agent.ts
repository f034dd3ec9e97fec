/** What the agent remembers about the user within one conversation. */
export interface AgentMemory {
  /** The name the user gave with "my name is ..." or "call me ...". */
  name?: string;
}

/** Everything the agent may look at besides the message itself. */
export interface AgentContext {
  /** What earlier messages of this conversation taught the agent. */
  memory: AgentMemory;
  /** The display name the visitor signed in with. */
  displayName: string;
  /** The current time, for "what time is it". */
  now: Date;
}

/** The agent's answer and its memory after reading the message. */
export interface AgentReply {
  /** The text to show as the agent's message. */
  text: string;
  /** The memory to keep for the next message; the same object when nothing was learnt. */
  memory: AgentMemory;
}

const NAME_INTRO = /\b(?:my name is|call me)\s+([\p{L}][\p{L}'-]{0,39})/iu;
const NAME_QUESTION = /\bwhat(?:'s| is) my name\b|\bwho am i\b/i;
const COUNT_COMMAND = /^count\b[:\s]*(.*)$/is;
const GREETING = /^(?:hi|hello|hey|good (?:morning|afternoon|evening))\b/i;
const THANKS = /\b(?:thanks|thank you)\b/i;

const HELP_TEXT =
  'I am a tiny rule-based agent. Try: "my name is Ada", "what is my name?", "time", ' +
  '"count the words in this sentence", "hello", or anything else and I will echo it.';

/**
 * Words in a text, as a person would count them: runs of letters and digits, which may be
 * joined by an apostrophe or hyphen ("it's", "well-known"); punctuation alone is no word.
 */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)?.length ?? 0;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function capitalise(name: string): string {
  return name.charAt(0).toLocaleUpperCase() + name.slice(1);
}

/**
 * Answers one message with a few fixed rules, offline and deterministic given its context:
 * introductions ("my name is ...") are remembered in the returned memory, "what is my name"
 * recalls them, "help", "time" and "count ..." do what they say, greetings are answered by
 * name, and anything else is echoed with its word count.
 */
export function agentReply(message: string, context: AgentContext): AgentReply {
  const text = message.trim();
  const { memory } = context;

  const intro = NAME_INTRO.exec(text);
  if (intro?.[1]) {
    const name = capitalise(intro[1]);
    return {
      text: `Nice to meet you, ${name}! I will remember that.`,
      memory: { ...memory, name },
    };
  }
  if (NAME_QUESTION.test(text)) {
    return {
      text: memory.name
        ? `Your name is ${memory.name}.`
        : `You signed in as ${context.displayName}, but you have not told me your name in this conversation. Say "my name is ...".`,
      memory,
    };
  }
  if (/^help\b|^\?$/i.test(text)) return { text: HELP_TEXT, memory };
  if (/\btime\b/i.test(text)) {
    const time = context.now.toISOString().slice(11, 16);
    return { text: `It is ${time} UTC.`, memory };
  }
  const count = COUNT_COMMAND.exec(text);
  if (count) {
    const subject = count[1] ?? '';
    return { text: `That is ${plural(countWords(subject), 'word')}.`, memory };
  }
  if (GREETING.test(text)) {
    return {
      text: `Hello, ${memory.name ?? context.displayName}! Type "help" to see what I can do.`,
      memory,
    };
  }
  if (THANKS.test(text)) return { text: 'You are welcome!', memory };
  return {
    text: `You said "${text}" (${plural(countWords(text), 'word')}). Type "help" to see what I can do.`,
    memory,
  };
}
