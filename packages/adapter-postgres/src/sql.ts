/** Fully qualified, quoted names of the tables one adapter instance uses. */
export interface TableNames {
  /** Quoted schema name. */
  schema: string;
  sessions: string;
  messages: string;
  idempotency: string;
  kv: string;
  migrations: string;
  /** Queue jobs of every queue. */
  jobs: string;
  /** The sequence that orders jobs available at the same moment. */
  jobSeq: string;
  /** Pub/sub messages too large to travel inside a NOTIFY payload. */
  pubsub: string;
  /** One row per label of every stored session: `(session_id, name, value, created_at)`. */
  labels: string;
  /** Sharded per-state counts of stored sessions, expired-but-unswept ones included. */
  stateCounts: string;
  /** State changes of stored sessions (`-1`/`+1` rows) not yet folded into `stateCounts`. */
  stateMoves: string;
  /**
   * Function (schema version 5) deleting the messages below a new head and the idempotency keys
   * of a session that replaced an expired row: `(session_id, msg_head)`.
   */
  dropReplaced: string;
  /** Unquoted `schema.namespace`, used to derive advisory-lock keys. */
  scope: string;
}

/** Quotes an SQL identifier (the caller has validated it already; quoting keeps it literal). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The table names for a schema and a namespace (table prefix). */
export function tableNames(schema: string, namespace: string): TableNames {
  const q = quoteIdent(schema);
  const t = (suffix: string): string => `${q}.${quoteIdent(`${namespace}_${suffix}`)}`;
  return {
    schema: q,
    sessions: t('sessions'),
    messages: t('messages'),
    idempotency: t('idempotency'),
    kv: t('kv'),
    migrations: t('migrations'),
    jobs: t('jobs'),
    jobSeq: t('job_seq'),
    pubsub: t('pubsub'),
    labels: t('labels'),
    stateCounts: t('state_counts'),
    stateMoves: t('state_moves'),
    dropReplaced: t('s_drop_replaced'),
    scope: `${schema}.${namespace}`,
  };
}

/**
 * SQL turning an epoch-millisecond parameter into a `timestamptz`. `to_timestamp` rounds to the
 * microsecond, so every millisecond up to 4e15 (year 128,000) comes back exactly through `ms()`,
 * and it does not depend on the session time zone.
 */
export function ts(param: string): string {
  return `to_timestamp(${param}::float8 / 1000)`;
}

/** SQL turning a `timestamptz` column into epoch milliseconds (exact: `extract` is numeric). */
export function ms(column: string): string {
  return `(extract(epoch from ${column}) * 1000)::int8`;
}

/** SQL that is true when the row's `expires_at` is still in the future at `now` (a parameter). */
export function liveAt(alias: string, nowParam: string): string {
  return `(${alias}.expires_at IS NULL OR ${alias}.expires_at > ${ts(nowParam)})`;
}

/** The select list of a session's timestamps in epoch ms, aliased as in `SessionRow`. */
export function timeColumns(alias: string): string {
  return [
    `${ms(`${alias}.created_at`)} AS created_at`,
    `${ms(`${alias}.updated_at`)} AS updated_at`,
    `${ms(`${alias}.expires_at`)} AS expires_at`,
    `${ms(`${alias}.max_expires_at`)} AS max_expires_at`,
  ].join(', ');
}

/** The select list that reads a whole session row as a `SessionRow`. */
export function sessionColumns(alias: string): string {
  return `${alias}.id, ${alias}.data, ${alias}.state, ${alias}.labels::text AS labels, ${alias}.version, ${timeColumns(alias)}`;
}

/** Escapes `%`, `_` and `\` so a literal prefix can be used in `LIKE ... ESCAPE '\'`. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
