import { packageTestConfig } from '../../vitest.shared.js';

// The crash test mostly waits on its child processes, so a second worker runs the other files
// beside it instead of after it (the default on two cores is one worker).
export default packageTestConfig(import.meta.dirname, { maxWorkers: 2 });
