import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchEnv } from '../env.js';
import { mapLimit } from '../limit.js';
import type { BenchDoc, Target, TargetSpec } from '../types.js';

interface FileRecord {
  data: unknown;
  state: string;
  labels: Record<string, string>;
  version: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
}

/** Batches and scans touch this many files at once, like the adapter's own fan-out. */
const FAN_OUT = 32;

function isLive(record: FileRecord, now: number): boolean {
  return record.expiresAt === null || record.expiresAt > now;
}

async function readRecord(path: string): Promise<FileRecord | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as FileRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The file floor: node:fs only, one JSON file per session written atomically (temp file,
 * fsync, rename, fsync of the folder) after reading the old version, and one append-only log
 * per conversation synced on every append. No locks: it assumes a single process.
 */
async function rawFile(root: string): Promise<Target> {
  await mkdir(root, { recursive: true });
  const pathOf = (id: string) => join(root, `${encodeURIComponent(id)}.json`);
  const logOf = (id: string) => join(root, `${encodeURIComponent(id)}.log`);
  let tempCounter = 0;

  const writeAtomic = async (path: string, text: string, durable: boolean) => {
    tempCounter += 1;
    const temp = `${path}.${process.pid}.${tempCounter}.tmp`;
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(text);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  };
  const saveOne = async (doc: BenchDoc, expiresAt: number | null, durable: boolean) => {
    const now = Date.now();
    const old = await readRecord(pathOf(doc.id));
    const live = old !== null && isLive(old, now);
    const record: FileRecord = {
      data: doc.data,
      state: doc.state,
      labels: doc.labels,
      version: live ? old.version + 1 : 1,
      createdAt: live ? old.createdAt : now,
      updatedAt: now,
      expiresAt,
    };
    await writeAtomic(pathOf(doc.id), JSON.stringify(record), durable);
  };
  const getOne = async (id: string) => {
    const record = await readRecord(pathOf(id));
    return record !== null && isLive(record, Date.now()) ? record : null;
  };
  const readAll = async () => {
    const names = (await readdir(root)).filter((name) => name.endsWith('.json'));
    const records = await mapLimit(names, FAN_OUT, async (name) => ({
      name,
      record: await readRecord(join(root, name)),
    }));
    return records.filter((r): r is { name: string; record: FileRecord } => r.record !== null);
  };
  const select = async (match: (record: FileRecord) => boolean) => {
    const now = Date.now();
    return (await readAll()).filter(({ record }) => isLive(record, now) && match(record));
  };
  const firstPage = (rows: { name: string; record: FileRecord }[]) =>
    rows
      .sort((a, b) => a.record.createdAt - b.record.createdAt || (a.name < b.name ? -1 : 1))
      .slice(0, 100).length;

  return {
    name: 'raw-file',
    backend: 'file',
    kind: 'raw',
    skips: {},
    async save(doc) {
      await saveOne(doc, null, true);
      await syncDir(root);
    },
    get: getOne,
    async append(id, message) {
      if ((await getOne(id)) === null) throw new Error(`session ${id} not found`);
      const handle = await open(logOf(id), 'a');
      try {
        await handle.appendFile(`${JSON.stringify(message)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    async saveMany(docs) {
      await mapLimit(docs, FAN_OUT, (doc) => saveOne(doc, null, true));
      await syncDir(root);
    },
    getMany: (ids) => mapLimit(ids, FAN_OUT, getOne),
    query: {
      async seed(docs) {
        await mapLimit(docs, FAN_OUT, (doc) => saveOne(doc, null, false));
      },
      listByState: async (state) => firstPage(await select((r) => r.state === state)),
      listByLabel: async (key, value) => firstPage(await select((r) => r.labels[key] === value)),
      countByState: async (state) => (await select((r) => r.state === state)).length,
      countByLabel: async (key, value) => (await select((r) => r.labels[key] === value)).length,
    },
    sweep: {
      async seedExpired(docs) {
        await mapLimit(docs, FAN_OUT, (doc) => saveOne(doc, 1, false));
      },
      async sweepAll() {
        const now = Date.now();
        const expired = (await readAll()).filter(({ record }) => !isLive(record, now));
        await mapLimit(expired, FAN_OUT, async ({ name }) => {
          await unlink(join(root, name));
          await unlink(join(root, name.replace(/\.json$/, '.log'))).catch((error: unknown) => {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          });
        });
        await syncDir(root);
        return expired.length;
      },
    },
    async close() {},
  };
}

/** The raw node:fs target. */
export function rawFileSpec(env: BenchEnv): TargetSpec {
  return {
    name: 'raw-file',
    backend: 'file',
    kind: 'raw',
    create: (slot) => rawFile(join(env.dir, `raw-file-${slot}`)),
  };
}
