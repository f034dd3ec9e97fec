import { makeDoc } from '../data.js';

/**
 * Writes generated sessions straight into an adapter's tables with the raw driver's bulk path,
 * so a million rows take seconds instead of a million facade calls. The adapter must have
 * created its tables first; the rows are the documents `makeDoc(prefix, n)` of the workloads.
 */
export interface BulkSeeder {
  /** Inserts documents `from` .. `to - 1` with the given absolute expiry (epoch ms) or none. */
  insert(prefix: string, from: number, to: number, expiresAt: number | null): Promise<void>;
  /** Brings planner statistics up to date, as the backend's own maintenance would. */
  settle(): Promise<void>;
  /** Releases the seeder's connection. */
  close(): Promise<void>;
}

/** One generated row in the shape both seeders write: JSON text for data and labels. */
export interface SeedRow {
  id: string;
  data: string;
  state: string;
  labels: string;
  labelMap: Record<string, string>;
  createdAt: number;
}

/**
 * Rows `from` .. `to - 1`. `createdAt` grows with `n` from `base`, so listing order matches
 * creation order as it would after a real history of saves.
 */
export function seedRows(prefix: string, from: number, to: number, base: number): SeedRow[] {
  const rows: SeedRow[] = [];
  for (let n = from; n < to; n += 1) {
    const doc = makeDoc(prefix, n);
    rows.push({
      id: doc.id,
      data: JSON.stringify(doc.data),
      state: doc.state,
      labels: JSON.stringify(doc.labels),
      labelMap: doc.labels,
      createdAt: base + n,
    });
  }
  return rows;
}

/** The first index of each chunk of `size` in `from` .. `to - 1`. */
export function chunkStarts(from: number, to: number, size: number): number[] {
  const starts: number[] = [];
  for (let start = from; start < to; start += size) starts.push(start);
  return starts;
}
