export type { CliIo, TextSink } from './io.js';
export { EXIT, runCli } from './run-cli.js';
