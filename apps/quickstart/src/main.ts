import { createStorage } from '@stowage/core';

/** One turn of a conversation as the demo stores it. */
interface Turn {
  role: 'user' | 'assistant';
  text: string;
  at: string;
}

// The embedded default: one SQLite file, no server. STOWAGE_URL switches backends,
// e.g. postgres://postgres@127.0.0.1:5432/test or redis://127.0.0.1:6379.
const url = process.env.STOWAGE_URL ?? 'sqlite:./.stowage/stowage.db';
const storage = createStorage(url, { sessionTtl: '7d' });

const userId = 'demo-user';
const conversationId = `${userId}:welcome`;

function reply(text: string): string {
  const words = text.split(/\s+/).filter(Boolean).length;
  return `You said ${words} word${words === 1 ? '' : 's'}. Tell me more!`;
}

async function say(text: string): Promise<number> {
  const now = new Date().toISOString();
  const turns: Turn[] = [
    { role: 'user', text, at: now },
    { role: 'assistant', text: reply(text), at: now },
  ];
  return storage.messages.append(conversationId, turns);
}

// Create the conversation once; later runs continue it.
const existing = await storage.sessions.get<{ title: string; runs: number }>(conversationId);
const session = await storage.sessions.update<{ title: string; runs: number }>(
  conversationId,
  (current) => ({
    data: { title: 'Welcome chat', runs: (current?.data.runs ?? 0) + 1 },
    labels: { userId },
  }),
);
console.log(
  existing
    ? `Continuing "${session?.data.title}" (run ${session?.data.runs}, version ${session?.version}) on ${storage.adapterName}`
    : `Created "${session?.data.title}" on ${storage.adapterName}`,
);

const length = await say(`Hello from run ${session?.data.runs}`);
console.log(`The conversation now has ${length} messages. The last four:`);
for (const turn of await storage.messages.range<Turn>(conversationId, -4, -1)) {
  console.log(`  ${turn.role.padEnd(9)} ${turn.text}`);
}

const page = await storage.sessions.list<{ title: string }>({
  labels: { userId },
  order: 'desc',
  limit: 10,
});
console.log(
  `${userId} has ${await storage.sessions.count({ labels: { userId } })} conversation(s):`,
);
for (const item of page.items) {
  console.log(
    `  ${item.id}  "${item.data.title}"  updated ${new Date(item.updatedAt).toISOString()}`,
  );
}

console.log(`Stored at ${url}; run again to continue the conversation.`);
await storage.close();
