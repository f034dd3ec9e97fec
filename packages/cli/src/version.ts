/**
 * This package's version for `stowage --version`. The build writes it in (tsup `env`); run from
 * source (tests), it reads `development`.
 */
export const VERSION: string = process.env.STOWAGE_CLI_VERSION ?? 'development';
