/**
 * Phase-aware lint rules over the analysed upgrade statements of one revision. Pure.
 *
 * Each rule has an id, a one-line reason and the safe rewrite, and a severity that may
 * depend on the revision's phase (a DROP is an error in `expand`, where old services
 * still read what it removes, and fine in `contract`). A finding is silenced for one
 * statement by a comment `-- bellows:allow <rule-id> because <reason>` on the comment
 * lines directly above the statement, inside it, or after it on its last line; the
 * reason is required, and a suppression without one (or naming no rule) is itself an
 * error finding.
 *
 * @module
 */
import type { DialectName } from "../drivers/types.ts";
import type { Statement } from "../script/types.ts";
import type { Operation, Work } from "./locks.ts";
import type { MysqlStatement } from "./mysql.ts";

/** The phase of the revision being linted (as src/phases/phase.ts decides it). */
export type LintPhase = "expand" | "contract" | undefined;

/** How bad a finding is: errors fail `bellows lint` (exit 1), warnings do not. */
export type Severity = "error" | "warning";

/** A lint rule. */
export interface Rule {
  /** Stable id, used in output and in `-- bellows:allow <id>`. */
  readonly id: string;
  /** Which databases it applies to. */
  readonly dialects: readonly DialectName[];
  /** Why it matters, one line. */
  readonly reason: string;
  /** The safe way to do it. */
  readonly fix: string;
  /** Severity in a revision of `phase`; null: the rule is off there. */
  readonly severity: (phase: LintPhase) => Severity | null;
}

const always = (s: Severity) => () => s;
const PG: readonly DialectName[] = ["postgresql"];
const BOTH: readonly DialectName[] = ["postgresql", "sqlite"];
const MYSQL: readonly DialectName[] = ["mysql"];
/** Rules about what a revision does, whatever the database. */
const ALL: readonly DialectName[] = ["postgresql", "sqlite", "mysql"];

/** Every rule, in the order docs/lint.md lists them. */
export const RULES: readonly Rule[] = [
  {
    id: "index-not-concurrent",
    dialects: PG,
    reason: "CREATE INDEX without CONCURRENTLY blocks writes to the table while it builds",
    fix: "CREATE INDEX CONCURRENTLY, alone in a revision with `transactional: false`",
    severity: always("error"),
  },
  {
    id: "add-column-not-null",
    dialects: BOTH,
    reason: "ADD COLUMN ... NOT NULL without a default fails on a table that has rows",
    fix: "add it with a constant DEFAULT, or nullable, backfill, then SET NOT NULL safely",
    severity: always("error"),
  },
  {
    id: "volatile-default",
    dialects: PG,
    reason: "a new column filled per row (volatile default, serial, identity, stored " +
      "generated) rewrites the table under ACCESS EXCLUSIVE",
    fix: "add the column without the default, set the default after, backfill in batches " +
      "(a data migration)",
    severity: always("error"),
  },
  {
    id: "column-type-change",
    dialects: ["postgresql", "mysql"],
    reason: "a column type change rewrites the table while writes wait (PostgreSQL: ACCESS " +
      "EXCLUSIVE unless the types are binary-compatible; MySQL: MODIFY/CHANGE copies it " +
      "unless it only widens a short VARCHAR, appends ENUM values or renames), and old " +
      "services may " +
      "not read the new type",
    fix: "expand: add a column of the new type and sync it (trigger); migrate: backfill; " +
      "contract: drop the old column",
    severity: always("error"),
  },
  {
    id: "set-not-null",
    dialects: PG,
    reason: "SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated " +
      "CHECK (col IS NOT NULL) already proves it",
    fix: "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; in a later revision " +
      "VALIDATE CONSTRAINT c, then SET NOT NULL and DROP CONSTRAINT c",
    severity: always("error"),
  },
  {
    id: "constraint-not-valid",
    dialects: PG,
    reason: "a new FOREIGN KEY or CHECK checks every existing row while holding its lock",
    fix: "ADD CONSTRAINT ... NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT (which " +
      "does not block writes) in a later revision",
    severity: always("error"),
  },
  {
    id: "validate-same-transaction",
    dialects: PG,
    reason: "VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID " +
      "scans while still holding the lock ADD CONSTRAINT took",
    fix: "VALIDATE CONSTRAINT in a later revision (each revision commits on its own)",
    severity: always("error"),
  },
  {
    id: "constraint-builds-index",
    dialects: PG,
    reason: "ADD UNIQUE / PRIMARY KEY builds its index under ACCESS EXCLUSIVE",
    fix: "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX",
    severity: always("error"),
  },
  {
    id: "rename-table",
    dialects: ALL,
    reason: "services running during the upgrade still use the old table name",
    fix: "expand: create the new table (or a view under the new name) and keep both in " +
      "step; contract: drop the old one",
    severity: always("error"),
  },
  {
    id: "rename-column",
    dialects: ALL,
    reason: "services running during the upgrade still use the old column name",
    fix: "expand: add the new column and sync it (trigger); migrate: backfill; contract: " +
      "drop the old column",
    severity: always("error"),
  },
  {
    id: "drop-in-expand",
    dialects: ALL,
    reason: "old services still use what an expand revision drops",
    fix: "move the DROP to a contract revision",
    severity: (p) => p === "expand" ? "error" : p === "contract" ? null : "warning",
  },
  {
    id: "additive-in-contract",
    dialects: ALL,
    reason: "the new release runs before contract is applied, so it cannot rely on what a " +
      "contract revision adds",
    fix: "move additive changes (CREATE, ADD COLUMN, ADD CONSTRAINT, CREATE INDEX) to an " +
      "expand revision",
    severity: (p) => p === "contract" ? "warning" : null,
  },
  {
    id: "concurrent-mixed",
    dialects: PG,
    reason: "a `transactional: false` revision runs each statement on its own; a failure " +
      "after a concurrent index build leaves the revision half applied",
    fix: "one CREATE/DROP INDEX CONCURRENTLY per non-transactional revision; everything " +
      "else in a transactional one",
    severity: always("error"),
  },
  {
    id: "concurrent-in-transaction",
    dialects: PG,
    reason: "CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block",
    fix: "put it in a revision with `transactional: false`",
    severity: always("error"),
  },
  {
    id: "lock-timeout-reset",
    dialects: PG,
    reason: "bellows sets lock_timeout so that a blocked statement fails instead of " +
      "queueing every reader of the table behind it; this script turns that off",
    fix: "leave lock_timeout alone (bellows --lock-timeout), or SET LOCAL a finite value",
    severity: always("error"),
  },
  {
    id: "sqlite-alter-unsupported",
    dialects: ["sqlite"],
    reason: "SQLite's ALTER TABLE cannot do this; the statement fails",
    fix: "rebuild the table (CREATE new, INSERT ... SELECT, DROP old, RENAME), in a " +
      "sqlite section",
    severity: always("error"),
  },
  {
    id: "sqlite-table-rebuild",
    dialects: ["sqlite"],
    reason: "a table rebuild copies every row while the database is locked for writing, " +
      "and drops the table old services read",
    fix: "prefer ADD COLUMN in expand and DROP COLUMN in contract; keep rebuilds for " +
      "contract, or small tables",
    severity: (p) => p === "contract" ? "warning" : "error",
  },
  {
    id: "mysql-copy-alter",
    dialects: MYSQL,
    reason: "this change needs ALGORITHM=COPY: the table is copied row by row and writes " +
      "to it wait until the copy ends (on Galera, writes to the whole cluster)",
    fix: "do it in steps InnoDB runs in place (e.g. a new column, backfill, swap in " +
      "contract), or with SET foreign_key_checks=0 for a FOREIGN KEY whose rows are known " +
      "good; on a large table use an online schema change tool",
    severity: always("error"),
  },
  {
    id: "mysql-online-clauses",
    dialects: MYSQL,
    reason: "without ALGORITHM= and LOCK= clauses the server silently copies the table (and " +
      "blocks writes) when it cannot do the change online",
    fix: "end the ALTER with `, ALGORITHM=INSTANT` or `, ALGORITHM=INPLACE, LOCK=NONE` " +
      "(CREATE INDEX: `ALGORITHM=INPLACE LOCK=NONE`): the server then refuses instead of copying",
    severity: always("warning"),
  },
  {
    id: "mysql-algorithm-refused",
    dialects: MYSQL,
    reason: "the statement's own ALGORITHM= or LOCK= clause asks for more than the change " +
      "can do: the server refuses it",
    fix: "split the statement so each part can run as asked, or do the part that needs " +
      "COPY the safe way (see mysql-copy-alter)",
    severity: always("error"),
  },
  {
    id: "syntax-error",
    dialects: PG,
    reason: "PostgreSQL's parser rejects the statement",
    fix: "fix the SQL (the message says where)",
    severity: always("error"),
  },
  {
    id: "suppression-reason",
    dialects: ALL,
    reason: "a `-- bellows:allow` comment must say why",
    fix: "-- bellows:allow <rule-id> because <reason>",
    severity: always("error"),
  },
  {
    id: "suppression-unknown-rule",
    dialects: ALL,
    reason: "a `-- bellows:allow` comment names no rule bellows has",
    fix: "use an id from `bellows lint --rules`",
    severity: always("error"),
  },
];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

/** The rule with `id`. */
export function rule(id: string): Rule | undefined {
  return BY_ID.get(id);
}

/** One upgrade statement of a revision, analysed for one database. */
export interface AnalysedStatement {
  readonly statement: Statement;
  readonly operations: readonly Operation[];
  /** PostgreSQL: what it does to the table under its lock. */
  readonly work?: Work;
  /** PostgreSQL: the parser's error, placed in the file. */
  readonly syntaxError?: {
    readonly message: string;
    readonly line: number;
    readonly column: number;
  };
  /** SQLite: why its ALTER TABLE refuses the statement. */
  readonly unsupported?: string;
  /** MySQL / MariaDB: what the statement's text says (src/analysis/mysql.ts). */
  readonly mysql?: MysqlStatement;
}

/** What lint reads of one revision. */
export interface LintRevision {
  /** The script file, as it is to be printed. */
  readonly file: string;
  readonly revision: string;
  readonly phase: LintPhase;
  readonly transactional: boolean;
  readonly dialect: DialectName;
  /** The whole file text, for suppression comments. */
  readonly source: string;
  /** Upgrade statements that run on `dialect`, in order. */
  readonly statements: readonly AnalysedStatement[];
}

/** One finding. */
export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fix: string;
  readonly revision: string;
}

/** A `-- bellows:allow` comment found for a statement. */
export interface Suppression {
  readonly rule: string;
  /** Empty when none was given. */
  readonly reason: string;
  readonly line: number;
  readonly column: number;
}

const ALLOW = /--\s*bellows\s*:\s*allow\b[ \t]*([^\s]*)[ \t]*(.*)$/i;

/**
 * The `-- bellows:allow` comments that apply to `stmt`: on the comment lines directly
 * above it (no blank line between), on its own lines, and after it on its last line.
 */
export function suppressionsFor(source: string, stmt: Statement): Suppression[] {
  const lines = linesOf(source);
  const first = stmt.line - 1;
  const last = first + (stmt.sql.match(/\n/g)?.length ?? 0);
  const candidates: number[] = [];
  for (let i = first - 1; i >= 0 && /^\s*--/.test(lines[i]); i--) candidates.push(i);
  for (let i = first; i <= last && i < lines.length; i++) candidates.push(i);
  const out: Suppression[] = [];
  for (const i of candidates.sort((a, b) => a - b)) {
    const m = ALLOW.exec(lines[i]);
    if (!m) continue;
    const reason = /^because\b\s*(.*)$/i.exec(m[2].trim())?.[1].trim() ?? "";
    out.push({ rule: m[1], reason, line: i + 1, column: m.index + 1 });
  }
  return out;
}

/** The last source split into lines: a revision's statements ask one after another. */
let split: { source: string; lines: string[] } | undefined;

/** `source`'s lines (split once per source, not once per statement: 200,000-statement files). */
function linesOf(source: string): string[] {
  if (split?.source !== source) {
    split = { source, lines: source.replace(/^\uFEFF/, "").split("\n") };
  }
  return split.lines;
}

/** Names compare without case (unquoted SQL identifiers). */
const key = (s: string) => s.toLowerCase();

const DROPPED_IN_USE = new Set([
  "table",
  "column",
  "view",
  "materialized view",
  "sequence",
  "type",
]);

/**
 * What lint learns from the revisions before the one it checks (in upgrade order), so
 * that the safe multi-revision patterns pass: a CHECK (col IS NOT NULL) added NOT VALID
 * in one revision and validated in a later one proves the column for SET NOT NULL after.
 */
export interface LintMemory {
  /** `table.column` proven NOT NULL by a validated CHECK. */
  readonly validatedNotNull: Set<string>;
  /** `table.constraint` → the column a CHECK (col IS NOT NULL) constraint is about. */
  readonly notNullChecks: Map<string, string>;
}

/** An empty {@linkcode LintMemory}. */
export function lintMemory(): LintMemory {
  return { validatedNotNull: new Set(), notNullChecks: new Map() };
}

/**
 * Lint one revision: every finding, suppressed ones left out, in file order. `memory`
 * carries what earlier revisions established and is updated with this one's.
 */
export function lintRevision(rev: LintRevision, memory: LintMemory = lintMemory()): Finding[] {
  const raw: {
    at: AnalysedStatement;
    rule: string;
    message: string;
    line?: number;
    column?: number;
  }[] = [];
  const report = (at: AnalysedStatement, ruleId: string, message: string) =>
    raw.push({ at, rule: ruleId, message });

  // Tables this revision creates (or renames a new table into) are empty: no rule about
  // existing rows or running services applies to them.
  const created = new Set<string>();
  const validatedNotNull = memory.validatedNotNull;
  const checkNames = memory.notNullChecks;
  // Constraints this revision added NOT VALID: validating one in the same transaction
  // scans under the lock ADD CONSTRAINT took, which is held until commit.
  const addedNotValid = new Set<string>();
  const concurrent: AnalysedStatement[] = [];
  const others: AnalysedStatement[] = [];

  for (const at of rev.statements) {
    if (at.syntaxError) report(at, "syntax-error", at.syntaxError.message);
    if (at.unsupported) report(at, "sqlite-alter-unsupported", at.unsupported);
    let isConcurrent = false;
    for (const op of at.operations) {
      const fresh = "table" in op && op.table !== undefined && created.has(key(op.table));
      switch (op.op) {
        case "create-table":
          created.add(key(op.table));
          if (rev.phase === "contract") {
            report(at, "additive-in-contract", `creates table ${op.table} in a contract revision`);
          }
          break;
        case "add-column":
          if (rev.phase === "contract") {
            report(at, "additive-in-contract", `adds column ${op.table}.${op.column}`);
          }
          if (fresh) break;
          if (op.notNull && op.default === "none" && !op.generated) {
            report(
              at,
              "add-column-not-null",
              `${op.table}.${op.column} is NOT NULL with no default`,
            );
          }
          if (op.default === "volatile" || op.generated) {
            report(
              at,
              "volatile-default",
              `${op.table}.${op.column} is filled per row: the table is rewritten`,
            );
          } else if (op.default === "unknown") {
            report(
              at,
              "volatile-default",
              `the default of ${op.table}.${op.column} calls a function: ` +
                "the table is rewritten if it is volatile",
            );
          }
          break;
        case "alter-column-type":
          if (!fresh) {
            report(at, "column-type-change", `changes the type of ${op.table}.${op.column}`);
          }
          break;
        case "set-not-null":
          if (!fresh && !validatedNotNull.has(key(`${op.table}.${op.column}`))) {
            report(
              at,
              "set-not-null",
              `SET NOT NULL on ${op.table}.${op.column} with no validated ` +
                "CHECK (IS NOT NULL) before it",
            );
          }
          break;
        case "add-constraint":
          if (rev.phase === "contract") {
            report(at, "additive-in-contract", `adds a ${op.type} constraint to ${op.table}`);
          }
          if (op.notNullOf && op.name) checkNames.set(key(`${op.table}.${op.name}`), op.notNullOf);
          if (op.notValid && op.name) addedNotValid.add(key(`${op.table}.${op.name}`));
          if (op.notNullOf && !op.notValid) {
            validatedNotNull.add(key(`${op.table}.${op.notNullOf}`));
          }
          if (fresh) break;
          if ((op.type === "foreign-key" || op.type === "check") && !op.notValid) {
            report(at, "constraint-not-valid", `a ${op.type} on ${op.table} without NOT VALID`);
          }
          if ((op.type === "unique" || op.type === "primary-key") && !op.usingIndex) {
            report(
              at,
              "constraint-builds-index",
              `a ${op.type} on ${op.table} without USING INDEX`,
            );
          }
          break;
        case "validate-constraint": {
          if (rev.transactional && addedNotValid.has(key(`${op.table}.${op.name}`))) {
            report(
              at,
              "validate-same-transaction",
              `${op.name} is validated in the transaction that added it NOT VALID`,
            );
          }
          const col = checkNames.get(key(`${op.table}.${op.name}`));
          if (col) validatedNotNull.add(key(`${op.table}.${col}`));
          break;
        }
        case "create-index":
          isConcurrent ||= op.concurrent;
          if (rev.phase === "contract") {
            report(at, "additive-in-contract", `creates an index on ${op.table}`);
          }
          if (!op.concurrent && !fresh && rev.dialect === "postgresql") {
            report(
              at,
              "index-not-concurrent",
              `index ${op.name ?? ""} on ${op.table} without CONCURRENTLY`.replace("  ", " "),
            );
          }
          if (op.concurrent && rev.transactional) {
            report(
              at,
              "concurrent-in-transaction",
              "CREATE INDEX CONCURRENTLY in a transactional revision",
            );
          }
          break;
        case "drop-index":
          isConcurrent ||= op.concurrent;
          if (op.concurrent && rev.transactional) {
            report(
              at,
              "concurrent-in-transaction",
              "DROP INDEX CONCURRENTLY in a transactional revision",
            );
          }
          break;
        case "rename":
          if (op.object === "table") {
            if (created.has(key(op.from))) {
              created.add(key(op.to)); // the last step of a rebuild: a new table takes the name
            } else {
              report(at, "rename-table", `renames table ${op.from} to ${op.to}`);
            }
          } else if (op.object === "column" && !fresh) {
            report(at, "rename-column", `renames column ${op.table}.${op.from} to ${op.to}`);
          }
          break;
        case "drop":
          if (
            DROPPED_IN_USE.has(op.object) &&
            !(op.object !== "column" && op.names.every((n) => created.has(key(n))))
          ) {
            const what = op.object === "column"
              ? `${op.table}.${op.names[0]}`
              : op.names.join(", ");
            report(at, "drop-in-expand", `drops ${op.object} ${what}`);
          }
          break;
        case "copy-rows":
          if (created.has(key(op.into)) && !created.has(key(op.from))) {
            report(
              at,
              "sqlite-table-rebuild",
              `rebuilds table ${op.from} (rows copied into ${op.into})`,
            );
          }
          break;
        case "set-setting":
          if (
            key(op.name) === "lock_timeout" &&
            (op.value === null || /^0+(ms|s|min)?$/i.test(op.value.trim()))
          ) {
            report(
              at,
              "lock-timeout-reset",
              op.value === null
                ? "resets lock_timeout to the server default (usually none)"
                : `sets lock_timeout to ${op.value} (no limit)`,
            );
          }
          break;
        case "create-other":
          break;
      }
    }
    // After the operations: a table this statement creates is not "existing".
    if (at.mysql) lintMysql(at, at.mysql, created, report);
    if (isConcurrent) concurrent.push(at);
    else if (at.operations.some((o) => o.op !== "set-setting") || at.operations.length === 0) {
      others.push(at);
    }
  }
  if (!rev.transactional && concurrent.length > 0 && (concurrent.length > 1 || others.length > 0)) {
    const at = concurrent.length > 1 ? concurrent[1] : others[0];
    report(
      at,
      "concurrent-mixed",
      `${concurrent.length} concurrent index statement(s) and ` +
        `${others.length} other statement(s) in one non-transactional revision`,
    );
  }

  const findings: Finding[] = [];
  const allowsFor = new Map<AnalysedStatement, Suppression[]>();
  for (const at of rev.statements) {
    const sups = suppressionsFor(rev.source, at.statement);
    allowsFor.set(at, sups);
    for (const s of sups) {
      if (!BY_ID.has(s.rule)) {
        raw.push({
          at,
          rule: "suppression-unknown-rule",
          message: `no rule "${s.rule}"`,
          line: s.line,
          column: s.column,
        });
      } else if (s.reason === "") {
        raw.push({
          at,
          rule: "suppression-reason",
          message: `"-- bellows:allow ${s.rule}" gives no reason (write "because ...")`,
          line: s.line,
          column: s.column,
        });
      }
    }
  }
  const seen = new Set<string>();
  for (const r of raw) {
    const def = BY_ID.get(r.rule)!;
    if (!def.dialects.includes(rev.dialect)) continue;
    const severity = def.severity(rev.phase);
    if (severity === null) continue;
    const allowed = (allowsFor.get(r.at) ?? []).some((s) => s.rule === r.rule && s.reason !== "");
    if (allowed) continue;
    const line = r.line ?? r.at.syntaxError?.line ?? r.at.statement.line;
    const column = r.column ?? r.at.syntaxError?.column ?? r.at.statement.column;
    const id = `${line}:${column}:${r.rule}:${r.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    findings.push({
      file: rev.file,
      line,
      column,
      rule: r.rule,
      severity,
      message: r.message,
      fix: def.fix,
      revision: rev.revision,
    });
  }
  return findings.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * The MySQL rules of one statement: a change that copies the table, a clause the server
 * will refuse, an ALTER that would copy silently if it could not run online. Tables
 * `created` in the revision are empty: nothing to copy, nobody to block.
 */
function lintMysql(
  at: AnalysedStatement,
  m: MysqlStatement,
  created: ReadonlySet<string>,
  report: (at: AnalysedStatement, rule: string, message: string) => void,
): void {
  if (m.algorithm === undefined || m.tables.length === 0) return;
  const table = m.tables[0];
  if (created.has(key(table))) return;
  if (m.refused) {
    report(at, "mysql-algorithm-refused", m.refused);
    return;
  }
  if (m.clauses.algorithm === "COPY") {
    report(at, "mysql-copy-alter", `${m.command} ${table} asks for ALGORITHM=COPY`);
    return;
  }
  // MODIFY / CHANGE copy unless the old type allows better: column-type-change says so.
  const copies = m.changes.filter((c) =>
    c.algorithm === "COPY" && !/^(MODIFY|CHANGE) COLUMN/.test(c.what) &&
    !c.unless?.startsWith("not classified")
  );
  if (copies.length > 0) {
    const c = copies[0];
    report(
      at,
      "mysql-copy-alter",
      `${c.what} on ${table} needs ALGORITHM=COPY${c.unless ? ` (${c.unless})` : ""}`,
    );
    return;
  }
  if (m.command === "DROP INDEX") return;
  if (m.changes.every((c) => c.what === "RENAME TO")) return; // rename-table says it
  const asked = m.clauses.algorithm;
  const online = asked === "INSTANT" ||
    ((asked === "INPLACE" || asked === "NOCOPY") &&
      (m.clauses.lock === "NONE" || (!m.lockNone && m.clauses.lock !== undefined)));
  if (online) return;
  // A MODIFY / CHANGE copies only in some cases: the clauses make the server say which.
  const want = m.algorithm === "INSTANT"
    ? "ALGORITHM=INSTANT"
    : `ALGORITHM=INPLACE, LOCK=${m.lockNone || m.algorithm === "COPY" ? "NONE" : "SHARED"}`;
  report(
    at,
    "mysql-online-clauses",
    `${m.command} ${table} without ${want} (the server would copy silently if it could ` +
      "not do it online)",
  );
}

/** `file:line:col rule-id severity: message`, the line format editors and CI annotate. */
export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.column} ${f.rule} ${f.severity}: ${f.message} (fix: ${f.fix})`;
}
