import { cpus, loadavg, totalmem } from 'node:os';

/** The machine a run happened on, printed next to every result. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  loadAverage: number[];
  startedAt: string;
}

/** Reads the machine facts now (call it before the run starts, for the load average). */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
    startedAt: new Date().toISOString(),
  };
}
