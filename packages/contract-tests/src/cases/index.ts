import type { ContractCase } from '../types.js';
import { sessionCases } from './sessions.js';

/** Every case of the suite, in group order. */
export const allCases: readonly ContractCase[] = [...sessionCases];
