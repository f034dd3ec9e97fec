export { doctorCommand } from './doctor.js';
export { exportCommand } from './export.js';
export { importCommand } from './import.js';
export { inspectCommand } from './inspect.js';
export { migrateCommand } from './migrate.js';
export { rekeyCommand } from './rekey.js';
export { sweepCommand } from './sweep.js';
