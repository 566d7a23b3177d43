/**
 * Offline mode (`--sql`): the SQL script a run would execute, for a DBA to review and run
 * by hand, without a database connection. Pure.
 *
 * The shape is Alembic 1.8's `--sql` output: one `BEGIN;` / `COMMIT;` around everything on
 * PostgreSQL (Alembic's default, `transaction_per_migration = False`) and none on SQLite
 * (Alembic treats SQLite as non-transactional DDL); `CREATE TABLE alembic_version` before a
 * step that starts from no rows; `-- Running upgrade a -> b` before each step; every
 * statement followed by `;` and a blank line; the version-table statements as SQLAlchemy
 * renders them with literal ids; `DROP TABLE alembic_version` when the script ends with no
 * rows. A revision marked `transactional: false` is wrapped in `COMMIT;` ... `BEGIN;` as
 * Alembic's `autocommit_block` does.
 *
 * bellows adds its own bookkeeping so that running the script leaves the state an online
 * run leaves: `CREATE TABLE IF NOT EXISTS bellows_audit` at the top (and, on PostgreSQL with
 * a version table schema, `CREATE SCHEMA IF NOT EXISTS`), and one audit row per step, with
 * the time the script runs as `applied_at`.
 *
 * One deliberate difference from Alembic: on MySQL a stored program whose body holds `;`
 * (a trigger's `BEGIN … END`) is printed between `DELIMITER` lines, so that the `mysql` /
 * `mariadb` client sends it whole; Alembic prints it with `;` and the client cuts it up.
 *
 * @module
 */
import type { Step } from "../graph/types.ts";
import { applyStep } from "../graph/heads.ts";
import type { Dialect, DialectName, TableName } from "../drivers/types.ts";
import { dialectNamed } from "../drivers/dialects.ts";
import { checksum, splitStatements, statementsFor } from "../script/mod.ts";
import {
  auditInsertSql,
  auditTableDdl,
  CHECKPOINT,
  clearCheckpointsSql,
  finishAuditSql,
  inlineParams,
  type StateConfig,
} from "../state/version_table.ts";
import type { Project } from "./project.ts";

/** How an offline script is rendered. */
export interface OfflineOptions {
  readonly dialect: Dialect;
  readonly state: StateConfig;
  /** Leave out `rolling` sections. */
  readonly skipRolling: boolean;
  /** Recorded in the audit rows. */
  readonly toolVersion: string;
  /** Recorded in the audit rows (where the script was generated). */
  readonly host: string;
}

/**
 * An identifier as SQLAlchemy renders it: bare when it is lowercase letters, digits, `_`
 * and `$`, does not start with a digit, `_` or `$`, and is no reserved word; else quoted.
 */
export function sqlaIdent(dialect: DialectName | Dialect, name: string): string {
  const d = typeof dialect === "string" ? dialectNamed(dialect) : dialect;
  const bare = /^[a-z0-9_$]+$/.test(name) && !/^[0-9_$]/.test(name) &&
    !d.reservedWords.has(name);
  const q = d.identQuote;
  return bare ? name : `${q}${name.replaceAll(q, q + q)}${q}`;
}

function sqlaTable(dialect: Dialect, t: TableName): string {
  const name = sqlaIdent(dialect, t.name);
  return t.schema ? `${sqlaIdent(dialect, t.schema)}.${name}` : name;
}

/** The version table's statements exactly as Alembic prints them in `--sql` mode. */
export function offlineVersionSql(d: Dialect, cfg: StateConfig) {
  const t = sqlaTable(d, cfg.versionTable);
  const lit = (v: string) => d.quoteLiteral(v);
  // SQLAlchemy adds RETURNING of the primary key to INSERTs where the dialect has it.
  const returning = d.insertReturning && cfg.versionTablePk ? ` RETURNING ${t}.version_num` : "";
  return {
    create: cfg.versionTablePk
      ? `CREATE TABLE ${t} (\n    version_num VARCHAR(32) NOT NULL, \n    CONSTRAINT ${
        sqlaIdent(d, `${cfg.versionTable.name}_pkc`)
      } PRIMARY KEY (version_num)\n);`
      : `CREATE TABLE ${t} (\n    version_num VARCHAR(32) NOT NULL\n);`,
    drop: `DROP TABLE ${t};`,
    insert: (rev: string) => `INSERT INTO ${t} (version_num) VALUES (${lit(rev)})${returning};`,
    delete: (rev: string) => `DELETE FROM ${t} WHERE ${t}.version_num = ${lit(rev)};`,
    update: (from: string, to: string) =>
      `UPDATE ${t} SET version_num=${lit(to)} WHERE ${t}.version_num = ${lit(from)};`,
  };
}

/** Alembic's `short_log` of a step: `upgrade a, b -> c`, `stamp_revision  -> x`. */
export function shortLog(step: Step): string {
  const name = step.kind === "stamp"
    ? "stamp_revision"
    : step.direction === "up"
    ? "upgrade"
    : "downgrade";
  return `${name} ${step.from.join(", ")} -> ${step.to.join(", ")}`;
}

/**
 * Render the script for `steps`, starting from the version rows `startHeads` (offline
 * mode's assumed state: `start:` of a range, or none). Throws where the online run would
 * refuse the same steps (see {@linkcode applyStep}).
 */
export function renderOfflineScript(
  project: Project,
  startHeads: readonly string[],
  steps: readonly Step[],
  opts: OfflineOptions,
): string {
  const d = opts.dialect;
  const cfg = opts.state;
  const v = offlineVersionSql(d, cfg);
  // Alembic's notion (its `transactional_ddl`), which is what the script's shape follows.
  const transactional = d.alembicTransactionalDdl;
  const out: string[] = [];
  const emit = (text: string) => out.push(`${text}\n\n`);
  const audit = (
    revision: string,
    direction: string,
    status: string,
    sum: string | null,
  ) =>
    emit(
      inlineParams(
        d,
        auditInsertSql(d, cfg, {
          revision,
          direction,
          status,
          checksum: sum,
          appliedAt: "",
          durationMs: 0,
          host: opts.host,
          toolVersion: opts.toolVersion,
        }, { appliedAtSql: d.nowSql }),
      ) + ";",
    );

  if (transactional) emit("BEGIN;");
  const schema = cfg.versionTable.schema;
  const createSchema = schema && d.createSchema ? d.createSchema(schema) : undefined;
  if (createSchema) emit(`${createSchema};`);
  emit(`${auditTableDdl(d, cfg)};`);

  let heads: readonly string[] = [...startHeads];
  for (const step of steps) {
    const { heads: next, ops } = applyStep(project.map, heads, step);
    if (heads.length === 0) emit(v.create);
    emit(`-- Running ${shortLog(step)}`);
    if (step.kind === "migrate") {
      const script = project.scripts.get(step.revision)!;
      const statements = statementsFor(script, step.direction, d.name, {
        skipRolling: opts.skipRolling,
      });
      const sum = checksum(statements);
      const outside = !script.transactional && transactional;
      if (outside) {
        // Alembic's autocommit_block: end the transaction around the revision's statements.
        audit(step.revision, step.direction, "started", sum);
        emit("COMMIT;");
      }
      for (const stmt of statements) {
        emit(terminated(d, stmt.sql));
        // As online: a checkpoint per completed statement, so that a script stopped part-way
        // leaves the record bellows reads to say exactly where it stopped.
        if (outside) audit(step.revision, step.direction, CHECKPOINT, sum);
      }
      if (outside) emit("BEGIN;");
      emitOps(ops, v, emit);
      if (outside) {
        emit(inlineParams(d, clearCheckpointsSql(d, cfg, step.revision)) + ";");
        emit(inlineParams(d, finishAuditSql(d, cfg, step.revision, 0)) + ";");
      } else audit(step.revision, step.direction, "done", sum);
    } else {
      emitOps(ops, v, emit);
      for (const rev of next.filter((h) => !heads.includes(h))) audit(rev, "stamp", "done", null);
    }
    heads = next;
  }
  if (heads.length === 0) emit(v.drop);
  if (transactional) emit("COMMIT;");
  return out.join("");
}

/** Delimiters for a stored program's text, the first it does not contain is used. */
const DELIMITERS = ["//", "$$", "!!", "%%", "^^"];

/**
 * `sql` followed by `;`; on a dialect with compound statements (MySQL), a statement that
 * the `mysql` client would cut at an inner `;` goes between `DELIMITER` lines instead.
 */
function terminated(d: Dialect, sql: string): string {
  if (!d.lexer.compoundStatements) return `${sql};`;
  // How the client reads it: quotes and comments, but no stored-program bodies.
  const asClient = splitStatements(sql, { lexer: d.lexer, bodies: false });
  const delim = DELIMITERS.find((x) => !sql.includes(x));
  if (asClient.length <= 1 || !delim) return `${sql};`;
  return `DELIMITER ${delim}\n${sql}${delim}\nDELIMITER ;`;
}

function emitOps(
  ops: ReturnType<typeof applyStep>["ops"],
  v: ReturnType<typeof offlineVersionSql>,
  emit: (text: string) => void,
) {
  for (const op of ops) {
    emit(
      op.op === "insert"
        ? v.insert(op.rev)
        : op.op === "delete"
        ? v.delete(op.rev)
        : v.update(op.from, op.to),
    );
  }
}
