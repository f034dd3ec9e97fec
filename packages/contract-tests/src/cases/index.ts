import type { ContractCase } from '../types.js';
import { batchCases } from './batch.js';
import { concurrencyCases } from './concurrency.js';
import { deleteIfUnchangedCases } from './delete-if-unchanged.js';
import { inputIdCases } from './input-ids.js';
import { inputLimitCases } from './input-limits.js';
import { inputValueCases } from './input-values.js';
import { kvCases } from './kv.js';
import { kvKeyCases } from './kv-keys.js';
import { lifecycleCases } from './lifecycle.js';
import { listCases } from './list.js';
import { orderingCases } from './list-ordering.js';
import { pagingCases } from './list-paging.js';
import { messageCases } from './messages.js';
import { rangeCases } from './messages-range.js';
import { pubsubCases } from './pubsub.js';
import { queueCases } from './queues.js';
import { queueLeaseCases } from './queues-leases.js';
import { restoreCases } from './restore.js';
import { sessionCases } from './sessions.js';
import { sessionDataCases } from './sessions-data.js';
import { ttlCases } from './ttl.js';
import { expiryCases } from './ttl-expiry.js';
import { kvTtlCases } from './ttl-kv.js';
import { touchCases } from './ttl-touch.js';
import { versionCases } from './versions.js';
import { updateCases } from './versions-update.js';

/** Every case of the suite, in group order. */
export const allCases: readonly ContractCase[] = [
  ...sessionCases,
  ...sessionDataCases,
  ...versionCases,
  ...updateCases,
  ...ttlCases,
  ...touchCases,
  ...expiryCases,
  ...kvTtlCases,
  ...listCases,
  ...pagingCases,
  ...orderingCases,
  ...batchCases,
  ...messageCases,
  ...rangeCases,
  ...kvCases,
  ...kvKeyCases,
  ...inputIdCases,
  ...inputValueCases,
  ...inputLimitCases,
  ...lifecycleCases,
  ...concurrencyCases,
  ...queueCases,
  ...queueLeaseCases,
  ...pubsubCases,
  ...restoreCases,
  ...deleteIfUnchangedCases,
];
