/**
 * What a PostgreSQL statement locks and what it does to the table under that lock,
 * read from the statement's parse tree (src/analysis/pg_parser.ts). Pure: no I/O.
 *
 * Lock levels follow PostgreSQL 15's documentation: the "Explicit Locking" chapter
 * (table-level lock modes and the commands that take them) and the ALTER TABLE page,
 * which names the lock of each subcommand ("ACCESS EXCLUSIVE unless explicitly noted";
 * with several subcommands, the strictest one). tests/pg_locks_test.ts checks a sample
 * against `pg_locks` on a real server.
 *
 * What a statement does to the table is one of {@linkcode Work}. A statement alone does
 * not say what the table holds, so some answers are conditional and say so: a column
 * type change rewrites unless the old type is binary-compatible with the new one, which
 * only the catalog knows.
 *
 * @module
 */

/** PostgreSQL's table-level lock modes, weakest first. */
export const LOCK_MODES = [
  "ACCESS SHARE",
  "ROW SHARE",
  "ROW EXCLUSIVE",
  "SHARE UPDATE EXCLUSIVE",
  "SHARE",
  "SHARE ROW EXCLUSIVE",
  "EXCLUSIVE",
  "ACCESS EXCLUSIVE",
] as const;

/** One of {@linkcode LOCK_MODES}. */
export type LockMode = typeof LOCK_MODES[number];

/** The name `pg_locks.mode` uses for a lock mode, e.g. `AccessExclusiveLock`. */
export function pgLocksName(mode: LockMode): string {
  return mode.toLowerCase().split(" ").map((w) => w[0].toUpperCase() + w.slice(1)).join("") +
    "Lock";
}

// "Conflicting Lock Modes" table of the Explicit Locking chapter, by index in LOCK_MODES.
const CONFLICTS: readonly (readonly number[])[] = [
  [7],
  [6, 7],
  [4, 5, 6, 7],
  [3, 4, 5, 6, 7],
  [2, 3, 5, 6, 7],
  [2, 3, 4, 5, 6, 7],
  [1, 2, 3, 4, 5, 6, 7],
  [0, 1, 2, 3, 4, 5, 6, 7],
];

/** Do two lock modes conflict (PostgreSQL's conflict table)? */
export function conflicts(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[LOCK_MODES.indexOf(a)].includes(LOCK_MODES.indexOf(b));
}

/** Does a lock in `mode` make plain SELECTs (ACCESS SHARE) on the table wait? */
export function blocksReads(mode: LockMode): boolean {
  return conflicts(mode, "ACCESS SHARE");
}

/** Does a lock in `mode` make INSERT/UPDATE/DELETE (ROW EXCLUSIVE) on the table wait? */
export function blocksWrites(mode: LockMode): boolean {
  return conflicts(mode, "ROW EXCLUSIVE");
}

/** The stronger of two lock modes. */
export function strongest(a: LockMode, b: LockMode): LockMode {
  return LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b;
}

/**
 * What a statement does to a table while it holds its lock, worst first:
 * - `rewrite`: writes a new copy of the table and its indexes (time ~ table size);
 * - `rewrite-unless-compatible`: a type change that rewrites unless the old type is
 *   binary-compatible with the new one (e.g. `varchar(20)` to `varchar(40)` or `text`);
 * - `scan`: reads every row to check or build something (validation, index build);
 * - `rows`: reads or writes the rows it selects (DML);
 * - `metadata`: changes the catalog only, fast once the lock is granted;
 * - `none`: no table is involved (functions, settings, ...).
 */
export type Work = "rewrite" | "rewrite-unless-compatible" | "scan" | "rows" | "metadata" | "none";

const WORK_ORDER: readonly Work[] = [
  "none",
  "metadata",
  "rows",
  "scan",
  "rewrite-unless-compatible",
  "rewrite",
];

function worse(a: Work, b: Work): Work {
  return WORK_ORDER.indexOf(a) >= WORK_ORDER.indexOf(b) ? a : b;
}

/** A lock a statement takes on one relation. */
export interface RelationLock {
  /** The relation as written in the statement, schema-qualified when it was. */
  readonly relation: string;
  /** `index` when the statement names an index (its table is locked too, unnamed). */
  readonly kind: "table" | "index";
  readonly mode: LockMode;
}

/** How a default expression of a new column behaves, for whether ADD COLUMN rewrites. */
export type DefaultKind = "none" | "constant" | "volatile" | "unknown";

/**
 * One schema change a statement makes, in the terms lint rules need. An ALTER TABLE
 * with several subcommands gives several.
 */
export type Operation =
  | { readonly op: "create-table"; readonly table: string }
  | {
    readonly op: "add-column";
    readonly table: string;
    readonly column: string;
    readonly notNull: boolean;
    readonly default: DefaultKind;
    /** Serial, identity or stored generated column: filled for every row. */
    readonly generated: boolean;
  }
  | { readonly op: "alter-column-type"; readonly table: string; readonly column: string }
  | { readonly op: "set-not-null"; readonly table: string; readonly column: string }
  | {
    readonly op: "add-constraint";
    readonly table: string;
    readonly name?: string;
    readonly type: "foreign-key" | "check" | "unique" | "primary-key" | "exclusion" | "other";
    /** Added `NOT VALID` (no scan now; `VALIDATE CONSTRAINT` later). */
    readonly notValid: boolean;
    /** `UNIQUE` / `PRIMARY KEY ... USING INDEX`: built beforehand, no scan. */
    readonly usingIndex: boolean;
    /** For `CHECK (col IS NOT NULL)`: the column. */
    readonly notNullOf?: string;
  }
  | { readonly op: "validate-constraint"; readonly table: string; readonly name: string }
  | {
    readonly op: "rename";
    readonly object: "table" | "column" | "other";
    readonly table?: string;
    readonly from: string;
    readonly to: string;
  }
  | {
    readonly op: "drop";
    /** `table`, `column`, `constraint`, `index`, `view`, `function`, ... (lowercase). */
    readonly object: string;
    readonly names: readonly string[];
    /** For columns and constraints: their table. */
    readonly table?: string;
  }
  | {
    readonly op: "create-index";
    readonly table: string;
    readonly name?: string;
    readonly concurrent: boolean;
  }
  | { readonly op: "drop-index"; readonly names: readonly string[]; readonly concurrent: boolean }
  | {
    readonly op: "set-setting";
    readonly name: string;
    /** The value as written; null for RESET / SET ... TO DEFAULT. */
    readonly value: string | null;
  }
  | { readonly op: "create-other"; readonly object: string; readonly name: string }
  /** `INSERT INTO into ... SELECT ... FROM from`: the copy step of a table rebuild (SQLite). */
  | { readonly op: "copy-rows"; readonly into: string; readonly from: string };

/** Everything known about one statement. */
export interface StatementLocks {
  /** The statement's node type without `Stmt`, e.g. `AlterTable`, `Index`. */
  readonly command: string;
  /** Locks on relations, strongest per relation. */
  readonly locks: readonly RelationLock[];
  readonly work: Work;
  readonly operations: readonly Operation[];
  /** Why, in a few words each (e.g. "SET NOT NULL scans unless a valid CHECK proves it"). */
  readonly notes: readonly string[];
}

// ---------------------------------------------------------------- AST helpers

type Obj = { readonly [k: string]: unknown };

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v as Obj : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** `{ Kind: {...} }` → `["Kind", {...}]`. */
function unwrap(node: unknown): [string, Obj] | undefined {
  const o = obj(node);
  if (!o) return undefined;
  const keys = Object.keys(o);
  if (keys.length !== 1) return undefined;
  const inner = obj(o[keys[0]]);
  return inner ? [keys[0], inner] : undefined;
}

function field(node: unknown, kind: string): Obj | undefined {
  const u = unwrap(node);
  return u && u[0] === kind ? u[1] : undefined;
}

function rangeVarName(rv: unknown): string {
  const o = obj(rv);
  if (!o) return "?";
  const rel = str(o.relname) ?? "?";
  return o.schemaname ? `${o.schemaname}.${rel}` : rel;
}

function stringList(v: unknown): string[] {
  return list(v).map((n) => str(field(n, "String")?.sval) ?? "?");
}

/** Every node of `kind` anywhere under `node`. */
function findAll(node: unknown, kind: string, out: Obj[] = []): Obj[] {
  if (Array.isArray(node)) {
    for (const n of node) findAll(n, kind, out);
  } else if (node !== null && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === kind && obj(v)) out.push(v as Obj);
      findAll(v, kind, out);
    }
  }
  return out;
}

// Functions PostgreSQL marks volatile that migrations use as defaults: a default that
// calls one is evaluated per row, so ADD COLUMN rewrites the table.
const VOLATILE_FUNCTIONS = new Set([
  "random",
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "clock_timestamp",
  "timeofday",
  "nextval",
  "setseed",
  "txid_current",
]);

// Non-volatile functions often seen in defaults (stable or immutable): evaluated once.
const NONVOLATILE_FUNCTIONS = new Set([
  "now",
  "transaction_timestamp",
  "statement_timestamp",
  "current_timestamp",
  "current_date",
  "localtimestamp",
  "lower",
  "upper",
  "coalesce",
  "to_timestamp",
  "make_interval",
  "jsonb_build_object",
  "json_build_object",
  "array",
]);

/** How a default expression behaves: constant (or stable), volatile, or unknown. */
export function defaultKind(expr: unknown): DefaultKind {
  if (expr === undefined) return "none";
  let kind: DefaultKind = "constant";
  for (const call of findAll(expr, "FuncCall")) {
    const names = stringList(call.funcname);
    const name = names[names.length - 1]?.toLowerCase() ?? "";
    if (VOLATILE_FUNCTIONS.has(name)) return "volatile";
    if (!NONVOLATILE_FUNCTIONS.has(name)) kind = "unknown";
  }
  return kind;
}

const SERIAL_TYPES = new Set([
  "serial",
  "serial4",
  "bigserial",
  "serial8",
  "smallserial",
  "serial2",
]);

function columnFacts(def: Obj): { notNull: boolean; default: DefaultKind; generated: boolean } {
  let notNull = false;
  let dflt: DefaultKind = "none";
  let generated = false;
  const typeNames = stringList(obj(def.typeName)?.names);
  if (SERIAL_TYPES.has(typeNames[typeNames.length - 1]?.toLowerCase() ?? "")) generated = true;
  for (const c of list(def.constraints)) {
    const con = field(c, "Constraint");
    switch (con?.contype) {
      case "CONSTR_NOTNULL":
      case "CONSTR_PRIMARY":
        notNull = true;
        break;
      case "CONSTR_DEFAULT":
        dflt = defaultKind(con.raw_expr);
        break;
      case "CONSTR_IDENTITY":
        generated = true;
        break;
      case "CONSTR_GENERATED":
        generated = true;
        break;
    }
  }
  return { notNull, default: dflt, generated };
}

function constraintType(contype: unknown) {
  switch (contype) {
    case "CONSTR_FOREIGN":
      return "foreign-key" as const;
    case "CONSTR_CHECK":
      return "check" as const;
    case "CONSTR_UNIQUE":
      return "unique" as const;
    case "CONSTR_PRIMARY":
      return "primary-key" as const;
    case "CONSTR_EXCLUSION":
      return "exclusion" as const;
    default:
      return "other" as const;
  }
}

/** `col IS NOT NULL` → `col`. */
function notNullColumn(expr: unknown): string | undefined {
  const test = field(expr, "NullTest");
  if (!test || test.nulltesttype !== "IS_NOT_NULL") return undefined;
  const ref = field(test.arg, "ColumnRef");
  const names = ref ? stringList(ref.fields) : [];
  return names.length === 1 ? names[0] : undefined;
}

function objectTypeName(t: unknown): string {
  return (str(t) ?? "OBJECT_UNKNOWN").replace(/^OBJECT_/, "").toLowerCase().replace(/_/g, " ");
}

// LockStmt.mode: PostgreSQL's lock mode numbers 1..8, as LOCK_MODES.
function lockModeNumber(n: unknown): LockMode {
  return typeof n === "number" && n >= 1 && n <= 8 ? LOCK_MODES[n - 1] : "ACCESS EXCLUSIVE";
}

// ---------------------------------------------------------------- classification

class Builder {
  readonly locks = new Map<string, RelationLock>();
  work: Work = "none";
  readonly operations: Operation[] = [];
  readonly notes: string[] = [];

  lock(relation: string, mode: LockMode, kind: "table" | "index" = "table") {
    const key = `${kind}:${relation}`;
    const had = this.locks.get(key);
    this.locks.set(key, { relation, kind, mode: had ? strongest(had.mode, mode) : mode });
  }

  does(work: Work, note?: string) {
    this.work = worse(this.work, work);
    if (note && !this.notes.includes(note)) this.notes.push(note);
  }
}

/** ALTER TABLE subcommands (AlterTableType) that take less than ACCESS EXCLUSIVE. */
const ALTER_TABLE_LOCKS: Readonly<Record<string, LockMode>> = {
  AT_SetStatistics: "SHARE UPDATE EXCLUSIVE",
  AT_SetOptions: "SHARE UPDATE EXCLUSIVE",
  AT_ResetOptions: "SHARE UPDATE EXCLUSIVE",
  AT_ValidateConstraint: "SHARE UPDATE EXCLUSIVE",
  AT_ClusterOn: "SHARE UPDATE EXCLUSIVE",
  AT_DropCluster: "SHARE UPDATE EXCLUSIVE",
  AT_AttachPartition: "SHARE UPDATE EXCLUSIVE",
  AT_EnableTrig: "SHARE ROW EXCLUSIVE",
  AT_EnableAlwaysTrig: "SHARE ROW EXCLUSIVE",
  AT_EnableReplicaTrig: "SHARE ROW EXCLUSIVE",
  AT_DisableTrig: "SHARE ROW EXCLUSIVE",
  AT_EnableTrigAll: "SHARE ROW EXCLUSIVE",
  AT_DisableTrigAll: "SHARE ROW EXCLUSIVE",
  AT_EnableTrigUser: "SHARE ROW EXCLUSIVE",
  AT_DisableTrigUser: "SHARE ROW EXCLUSIVE",
};

function alterTable(b: Builder, s: Obj) {
  const objtype = s.objtype;
  const table = rangeVarName(s.relation);
  const isIndex = objtype === "OBJECT_INDEX";
  // The altered table first in the list (its mode is raised per subcommand below);
  // referenced tables come after it.
  b.lock(table, "ACCESS SHARE", isIndex ? "index" : "table");
  for (const c of list(s.cmds)) {
    const cmd = field(c, "AlterTableCmd");
    if (!cmd) continue;
    const sub = str(cmd.subtype) ?? "";
    let mode: LockMode = ALTER_TABLE_LOCKS[sub] ?? "ACCESS EXCLUSIVE";
    const def = cmd.def;
    const column = str(cmd.name) ?? "?";
    switch (sub) {
      case "AT_AddColumn": {
        const col = field(def, "ColumnDef");
        if (!col) break;
        const facts = columnFacts(col);
        b.operations.push({ op: "add-column", table, column: str(col.colname) ?? "?", ...facts });
        if (facts.generated || facts.default === "volatile") {
          b.does(
            "rewrite",
            "a new column filled per row (volatile default, serial, identity " +
              "or stored generated) rewrites the table",
          );
        } else if (facts.default === "unknown") {
          b.does(
            "rewrite-unless-compatible",
            "the new column's default calls a function: " +
              "the table is rewritten if that function is volatile",
          );
        } else {
          b.does("metadata", "ADD COLUMN with no default or a non-volatile one is metadata-only");
        }
        for (const k of list(col.constraints)) {
          const con = field(k, "Constraint");
          if (con && ["CONSTR_FOREIGN", "CONSTR_CHECK"].includes(String(con.contype))) {
            addConstraint(b, table, con, "inline");
          }
          if (con?.contype === "CONSTR_UNIQUE" || con?.contype === "CONSTR_PRIMARY") {
            b.does("scan", "a UNIQUE or PRIMARY KEY column builds an index under the lock");
          }
        }
        break;
      }
      case "AT_AlterColumnType":
        b.operations.push({ op: "alter-column-type", table, column });
        b.does(
          "rewrite-unless-compatible",
          "a column type change rewrites the table (and " +
            "rebuilds its indexes) unless the old type is binary-compatible with the new one",
        );
        break;
      case "AT_SetNotNull":
        b.operations.push({ op: "set-not-null", table, column });
        b.does(
          "scan",
          "SET NOT NULL scans the table unless a valid CHECK (col IS NOT NULL) " +
            "already proves it",
        );
        break;
      case "AT_AddConstraint": {
        const con = field(def, "Constraint");
        if (con) mode = addConstraint(b, table, con, "alter") ?? mode;
        break;
      }
      case "AT_ValidateConstraint":
        b.operations.push({ op: "validate-constraint", table, name: column });
        b.does("scan", "VALIDATE CONSTRAINT scans the table, without blocking writes");
        break;
      case "AT_DropColumn":
        b.operations.push({ op: "drop", object: "column", names: [column], table });
        b.does("metadata", "DROP COLUMN is metadata-only (the space is reclaimed later)");
        break;
      case "AT_DropConstraint":
        b.operations.push({ op: "drop", object: "constraint", names: [column], table });
        b.does("metadata");
        break;
      case "AT_ColumnDefault":
      case "AT_DropNotNull":
      case "AT_SetStatistics":
      case "AT_SetOptions":
      case "AT_ResetOptions":
      case "AT_ClusterOn":
      case "AT_DropCluster":
        b.does("metadata");
        break;
      case "AT_AttachPartition": {
        const part = rangeVarName(obj(field(def, "PartitionCmd")?.name));
        b.lock(part, "ACCESS EXCLUSIVE");
        b.does(
          "scan",
          "ATTACH PARTITION scans the partition unless a valid CHECK matches its bound",
        );
        break;
      }
      case "AT_SetLogged":
      case "AT_SetUnLogged":
      case "AT_SetTableSpace":
      case "AT_SetAccessMethod":
        b.does("rewrite", `${sub.slice(3)} rewrites the table`);
        break;
      default:
        if (/Trig/.test(sub)) b.does("metadata");
        else b.does("metadata");
    }
    b.lock(table, mode, isIndex ? "index" : "table");
  }
}

/**
 * A constraint added by ALTER TABLE (or inline on a new column): records the operation,
 * the locks on referenced tables, the work; returns the lock it needs on the table.
 */
function addConstraint(
  b: Builder,
  table: string,
  con: Obj,
  _from: "alter" | "inline",
): LockMode | undefined {
  const type = constraintType(con.contype);
  const notValid = con.skip_validation === true;
  const usingIndex = typeof con.indexname === "string";
  const notNullOf = type === "check" ? notNullColumn(con.raw_expr) : undefined;
  b.operations.push({
    op: "add-constraint",
    table,
    ...(typeof con.conname === "string" ? { name: con.conname } : {}),
    type,
    notValid,
    usingIndex,
    ...(notNullOf ? { notNullOf } : {}),
  });
  if (type === "foreign-key") {
    b.lock(rangeVarName(con.pktable), "SHARE ROW EXCLUSIVE");
    if (notValid) b.does("metadata", "a NOT VALID constraint is not checked against existing rows");
    else b.does("scan", "a new foreign key is checked against every existing row under the lock");
    return "SHARE ROW EXCLUSIVE";
  }
  if (type === "check") {
    if (notValid) b.does("metadata", "a NOT VALID constraint is not checked against existing rows");
    else b.does("scan", "a new CHECK is checked against every existing row under the lock");
    return "ACCESS EXCLUSIVE";
  }
  if (type === "unique" || type === "primary-key" || type === "exclusion") {
    if (usingIndex) b.does("metadata", "USING INDEX adopts an index built beforehand");
    else b.does("scan", "a new UNIQUE / PRIMARY KEY / EXCLUDE builds its index under the lock");
  }
  return "ACCESS EXCLUSIVE";
}

/**
 * Classify one statement's parse tree node (`{ AlterTableStmt: {...} }` etc.): the
 * locks it takes on named relations, the work it does under them, and its schema
 * operations. Statements bellows does not know take no table lock it can name
 * (`work: "none"`); a function body is not looked into.
 */
export function classifyStatement(node: unknown): StatementLocks {
  const b = new Builder();
  const [kind, s] = unwrap(node) ?? ["Unknown", {} as Obj];
  const command = kind.replace(/Stmt$/, "");
  switch (kind) {
    case "AlterTableStmt":
      alterTable(b, s);
      break;
    case "CreateStmt": {
      const table = rangeVarName(s.relation);
      b.operations.push({ op: "create-table", table });
      for (const p of findAll(s.tableElts, "Constraint")) {
        if (p.contype === "CONSTR_FOREIGN") b.lock(rangeVarName(p.pktable), "SHARE ROW EXCLUSIVE");
      }
      for (const parent of list(s.inhRelations)) {
        b.lock(rangeVarName(field(parent, "RangeVar")), "SHARE UPDATE EXCLUSIVE");
      }
      b.does("metadata");
      break;
    }
    case "CreateTableAsStmt": {
      const into = obj(field(s.into, "IntoClause") ?? s.into);
      b.operations.push({ op: "create-table", table: rangeVarName(into?.rel) });
      b.does("rows");
      break;
    }
    case "IndexStmt": {
      const table = rangeVarName(s.relation);
      const concurrent = s.concurrent === true;
      b.operations.push({
        op: "create-index",
        table,
        ...(typeof s.idxname === "string" ? { name: s.idxname } : {}),
        concurrent,
      });
      b.lock(table, concurrent ? "SHARE UPDATE EXCLUSIVE" : "SHARE");
      b.does(
        "scan",
        concurrent
          ? "CREATE INDEX CONCURRENTLY scans the table twice without blocking writes"
          : "CREATE INDEX reads the whole table while blocking writes",
      );
      break;
    }
    case "DropStmt": {
      const object = objectTypeName(s.removeType);
      const names = list(s.objects).map((o) => {
        const l = field(o, "List");
        return l ? stringList(l.items).join(".") : stringList([o]).join(".");
      });
      const concurrent = s.concurrent === true;
      if (object === "index") {
        b.operations.push({ op: "drop-index", names, concurrent });
        for (const n of names) {
          b.lock(n, concurrent ? "SHARE UPDATE EXCLUSIVE" : "ACCESS EXCLUSIVE", "index");
        }
        b.notes.push("DROP INDEX also locks the index's table in the same mode");
      } else {
        b.operations.push({ op: "drop", object, names });
        if (object === "table" || object === "materialized view") {
          for (const n of names) b.lock(n, "ACCESS EXCLUSIVE");
        } else if (object === "trigger" || object === "rule" || object === "policy") {
          // `DROP TRIGGER t ON tbl`: the name list is [tbl..., t]; the table is locked.
          for (const o of list(s.objects)) {
            const parts = stringList(field(o, "List")?.items);
            if (parts.length > 1) b.lock(parts.slice(0, -1).join("."), "ACCESS EXCLUSIVE");
          }
        }
      }
      b.does("metadata");
      break;
    }
    case "RenameStmt": {
      const renameType = objectTypeName(s.renameType);
      const table = rangeVarName(s.relation);
      const to = str(s.newname) ?? "?";
      if (renameType === "table") {
        b.operations.push({ op: "rename", object: "table", from: table, to });
        b.lock(table, "ACCESS EXCLUSIVE");
      } else if (renameType === "column") {
        b.operations.push({
          op: "rename",
          object: "column",
          table,
          from: str(s.subname) ?? "?",
          to,
        });
        b.lock(table, "ACCESS EXCLUSIVE");
      } else if (renameType === "index") {
        b.operations.push({ op: "rename", object: "other", from: table, to });
        b.lock(table, "SHARE UPDATE EXCLUSIVE", "index");
      } else {
        b.operations.push({
          op: "rename",
          object: "other",
          from: s.relation ? table : stringList(field(s.object, "List")?.items).join("."),
          to,
        });
        if (s.relation) b.lock(table, "ACCESS EXCLUSIVE");
      }
      b.does("metadata");
      break;
    }
    case "CreateTrigStmt":
      b.lock(rangeVarName(s.relation), "SHARE ROW EXCLUSIVE");
      b.operations.push({ op: "create-other", object: "trigger", name: str(s.trigname) ?? "?" });
      b.does("metadata");
      break;
    case "TruncateStmt":
      for (const r of list(s.relations)) {
        b.lock(rangeVarName(field(r, "RangeVar")), "ACCESS EXCLUSIVE");
      }
      b.does("rewrite", "TRUNCATE replaces the table's files");
      break;
    case "LockStmt":
      for (const r of list(s.relations)) {
        b.lock(rangeVarName(field(r, "RangeVar")), lockModeNumber(s.mode));
      }
      b.does("metadata");
      break;
    case "ReindexStmt": {
      const concurrent = list(s.params).some((p) =>
        field(p, "DefElem")?.defname === "concurrently"
      );
      const target = rangeVarName(s.relation);
      const onIndex = s.kind === "REINDEX_OBJECT_INDEX";
      b.lock(
        target,
        concurrent ? "SHARE UPDATE EXCLUSIVE" : onIndex ? "ACCESS EXCLUSIVE" : "SHARE",
        onIndex ? "index" : "table",
      );
      b.does("scan", "REINDEX rebuilds indexes from the table");
      break;
    }
    case "VacuumStmt": {
      const full = list(s.options).some((p) => field(p, "DefElem")?.defname === "full");
      for (const r of list(s.rels)) {
        const rel = field(r, "VacuumRelation")?.relation;
        b.lock(rangeVarName(rel), full ? "ACCESS EXCLUSIVE" : "SHARE UPDATE EXCLUSIVE");
      }
      b.does(full ? "rewrite" : "scan");
      break;
    }
    case "ClusterStmt":
      if (s.relation) b.lock(rangeVarName(s.relation), "ACCESS EXCLUSIVE");
      b.does("rewrite", "CLUSTER rewrites the table in index order");
      break;
    case "RefreshMatViewStmt":
      b.lock(rangeVarName(s.relation), s.concurrent ? "EXCLUSIVE" : "ACCESS EXCLUSIVE");
      b.does("rewrite");
      break;
    case "InsertStmt":
    case "UpdateStmt":
    case "DeleteStmt":
    case "MergeStmt":
      b.lock(rangeVarName(s.relation), "ROW EXCLUSIVE");
      b.does("rows");
      break;
    case "CommentStmt":
      if (s.objtype === "OBJECT_TABLE" || s.objtype === "OBJECT_COLUMN") {
        const names = stringList(field(s.object, "List")?.items);
        const table = s.objtype === "OBJECT_COLUMN" ? names.slice(0, -1) : names;
        b.lock(table.join("."), "SHARE UPDATE EXCLUSIVE");
      }
      b.does("metadata");
      break;
    case "VariableSetStmt": {
      const name = str(s.name) ?? "";
      const value = s.kind === "VAR_SET_VALUE"
        ? list(s.args).map((a) => constText(a)).join(", ")
        : null;
      b.operations.push({ op: "set-setting", name, value });
      break;
    }
    case "SelectStmt":
      for (const call of findAll(s, "FuncCall")) {
        const names = stringList(call.funcname);
        const args = list(call.args);
        if (names[names.length - 1] === "set_config" && args.length >= 2) {
          b.operations.push({
            op: "set-setting",
            name: constText(args[0]),
            value: constText(args[1]),
          });
        }
      }
      break;
    case "CreateFunctionStmt":
      b.operations.push({
        op: "create-other",
        object: s.is_procedure ? "procedure" : "function",
        name: stringList(s.funcname).join("."),
      });
      break;
    case "ViewStmt":
      b.operations.push({ op: "create-other", object: "view", name: rangeVarName(s.view) });
      break;
    case "CreateSeqStmt":
      b.operations.push({ op: "create-other", object: "sequence", name: rangeVarName(s.sequence) });
      break;
    case "CompositeTypeStmt":
    case "CreateEnumStmt":
    case "CreateDomainStmt":
      b.operations.push({ op: "create-other", object: "type", name: command });
      break;
  }
  return {
    command,
    locks: [...b.locks.values()],
    work: b.work,
    operations: b.operations,
    notes: b.notes,
  };
}

/** The text of a constant argument (`'1s'`, `0`), else `?`. */
function constText(node: unknown): string {
  const c = field(node, "A_Const");
  if (!c) return "?";
  const s = field({ String: c.sval }, "String")?.sval;
  if (typeof s === "string") return s;
  const i = obj(c.ival);
  if (i) return String(i.ival ?? 0);
  return "?";
}
