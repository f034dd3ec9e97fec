/** What the agent has learnt in one conversation. */
export interface Memory {
  /** The name the user introduced themselves with. */
  name?: string;
}

/**
 * The agent's rules, smallest first: "my name is X" is remembered, "what is my name" recalls it,
 * "help" and "time" answer, anything else is echoed with its word count. Returns the answer and
 * the memory to keep (the same object when nothing was learnt).
 */
export function answer(text: string, memory: Memory, now: Date): { text: string; memory: Memory } {
  const intro = /\bmy name is\s+([\p{L}][\p{L}'-]*)/iu.exec(text)?.[1];
  if (intro) {
    const name = intro.charAt(0).toLocaleUpperCase() + intro.slice(1);
    return { text: `Hi ${name}, noted.`, memory: { ...memory, name } };
  }
  if (/\bwhat(?:'s| is) my name\b/i.test(text)) {
    return { text: memory.name ? `You are ${memory.name}.` : 'You have not told me yet.', memory };
  }
  if (/^help\b/i.test(text)) {
    return { text: 'Tell me "my name is ...", ask "what is my name?" or "time".', memory };
  }
  if (/\btime\b/i.test(text)) {
    return { text: `It is ${now.toISOString().slice(11, 16)} UTC.`, memory };
  }
  const words = text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
  return { text: `Echo: ${text} (${words} ${words === 1 ? 'word' : 'words'})`, memory };
}
