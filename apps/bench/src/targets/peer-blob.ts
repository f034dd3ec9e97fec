import type { JsonValue } from '@stowage/core';
import type { Backend, BenchDoc, Target } from '../types.js';

/** A key-value store that only holds opaque values: what keyv, unstorage and session stores offer. */
export interface BlobStore {
  set(key: string, value: StoredBlob): Promise<void>;
  get(key: string): Promise<StoredBlob | null>;
  setMany?(entries: readonly { key: string; value: StoredBlob }[]): Promise<void>;
  getMany?(keys: readonly string[]): Promise<(StoredBlob | null)[]>;
  close(): Promise<void>;
}

/** The value peers store: the whole session, conversation included. */
export interface StoredBlob {
  data: JsonValue;
  state: string;
  labels: Record<string, string>;
  messages?: JsonValue[];
  [extra: string]: unknown;
}

/** Why peers skip the workloads they cannot do. */
const NO_QUERY = 'stores opaque values: no listing or counting by state or label';
const NO_SWEEP = 'no sweep call: expiry is left to the backend or a timer';
const NO_BATCH = 'no batch API';

/**
 * Turns a blob store into a target. Its conversation is read-modify-write of the whole
 * session, as its users must do; listing, counting and sweeping are skipped.
 */
export function blobTarget(
  name: string,
  backend: Backend,
  store: BlobStore,
  wrap: (blob: StoredBlob) => StoredBlob = (blob) => blob,
): Target {
  const toBlob = (doc: BenchDoc): StoredBlob =>
    wrap({ data: doc.data, state: doc.state, labels: doc.labels });
  const skips: Record<string, string> = { list: NO_QUERY, count: NO_QUERY, sweep: NO_SWEEP };
  if (store.setMany === undefined || store.getMany === undefined) {
    skips['batch-save'] = NO_BATCH;
    skips['batch-get'] = NO_BATCH;
  }
  const target: Target = {
    name,
    backend,
    kind: 'peer',
    skips,
    save: (doc) => store.set(doc.id, toBlob(doc)),
    get: (id) => store.get(id),
    async append(id, message) {
      const blob = await store.get(id);
      if (blob === null) throw new Error(`session ${id} not found`);
      await store.set(id, { ...blob, messages: [...(blob.messages ?? []), message] });
    },
    close: () => store.close(),
  };
  const { setMany, getMany } = store;
  if (setMany !== undefined && getMany !== undefined) {
    target.saveMany = (docs) =>
      setMany.call(
        store,
        docs.map((doc) => ({ key: doc.id, value: toBlob(doc) })),
      );
    target.getMany = (ids) => getMany.call(store, ids);
  }
  return target;
}
