import { accessSync, constants } from 'node:fs';

/**
 * The Chromium the browser test drives: CHROMIUM_PATH, else Debian's /usr/bin/chromium.
 * Missing is an error that says how to get one, not a skipped test.
 */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  try {
    accessSync(path, constants.X_OK);
  } catch (error) {
    throw new Error(
      `No Chromium at ${path}: run "bash scripts/browser.sh" from the repository root (installs ` +
        `Debian's chromium), or set CHROMIUM_PATH to a Chromium or Chrome executable.`,
      { cause: error },
    );
  }
  return path;
}
