import { describe, expect, it } from 'vitest';
import { type AgentContext, agentReply, countWords } from '../src/agent.js';

const context: AgentContext = {
  memory: {},
  displayName: 'Ada',
  now: new Date('2026-03-01T09:05:00Z'),
};

describe('agentReply', () => {
  it('remembers a name given in the conversation and recalls it', () => {
    const intro = agentReply('Hi, my name is grace', context);
    expect(intro.text).toBe('Nice to meet you, Grace! I will remember that.');
    expect(intro.memory).toEqual({ name: 'Grace' });
    expect(agentReply('What is my name?', { ...context, memory: intro.memory }).text).toBe(
      'Your name is Grace.',
    );
    expect(agentReply('call me Zoë', context).memory).toEqual({ name: 'Zoë' });
  });

  it('says when it does not know the name yet', () => {
    const reply = agentReply("what's my name", context);
    expect(reply.text).toContain('You signed in as Ada');
    expect(reply.memory).toBe(context.memory);
  });

  it('answers help, time, count, greetings and thanks', () => {
    expect(agentReply('help', context).text).toContain('rule-based agent');
    expect(agentReply('what time is it?', context).text).toBe('It is 09:05 UTC.');
    expect(agentReply('count: the quick brown fox', context).text).toBe('That is 4 words.');
    expect(agentReply('count one', context).text).toBe('That is 1 word.');
    expect(agentReply('hello!', context).text).toBe(
      'Hello, Ada! Type "help" to see what I can do.',
    );
    expect(agentReply('hey', { ...context, memory: { name: 'Bo' } }).text).toContain('Hello, Bo!');
    expect(agentReply('thanks a lot', context).text).toBe('You are welcome!');
  });

  it('echoes anything else with its word count', () => {
    expect(agentReply('  Stowage keeps state  ', context).text).toBe(
      'You said "Stowage keeps state" (3 words). Type "help" to see what I can do.',
    );
    // Learns nothing, so the memory object is handed back unchanged.
    expect(agentReply('just talking', context).memory).toBe(context.memory);
  });
});

describe('countWords', () => {
  it('counts words in any script and ignores punctuation', () => {
    expect(countWords('')).toBe(0);
    expect(countWords(' -- ! ')).toBe(0);
    expect(countWords("it's a well-known café, 42 times")).toBe(6);
    expect(countWords('日本 語')).toBe(2);
  });
});
