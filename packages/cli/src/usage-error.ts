/** A mistake in the command line (unknown command or option, missing argument): exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage to print, if any. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
