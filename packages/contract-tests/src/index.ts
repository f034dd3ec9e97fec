export { allCases } from './cases/index.js';
export { runAdapterContract } from './harness.js';
export { type MemoryBackend, memoryBackend } from './memory-backend.js';
export type {
  AdapterContractOptions,
  BackendInspector,
  CaseContext,
  CaseResult,
  ContractCase,
  Requirement,
} from './types.js';
