/**
 * Analyse a revision's upgrade statements for one database: PostgreSQL's through its own
 * parser and the lock classifier, SQLite's and MySQL's from their text. The parser is passed in (only
 * {@linkcode lintTargets} loads it), so the rest stays free of I/O and SQLite loads nothing.
 *
 * @module
 */
import type { DialectName } from "../drivers/types.ts";
import type { RevisionScript, Statement } from "../script/types.ts";
import { locate, statementsFor } from "../script/mod.ts";
import { classifyStatement, type RelationLock, type Work } from "./locks.ts";
import { type PgParser, pgParser } from "./pg_parser.ts";
import { classifySqlite } from "./sqlite.ts";
import { classifyMysql } from "./mysql.ts";
import {
  type AnalysedStatement,
  type Finding,
  lintMemory,
  type LintPhase,
  type LintRevision,
  lintRevision,
} from "./lint.ts";

/** An analysed statement with, on PostgreSQL, its locks. */
export interface StatementAnalysis extends AnalysedStatement {
  /** PostgreSQL: locks on the relations it names, strongest per relation. */
  readonly locks?: readonly RelationLock[];
  /** PostgreSQL: why it does the work it does. */
  readonly notes?: readonly string[];
}

/** Whether statements of `dialect` are analysed (lint rules, lock view) at all. */
export function analysesDialect(dialect: DialectName): boolean {
  return dialect === "postgresql" || dialect === "sqlite" || dialect === "mysql";
}

/** Analyse one statement for `dialect` (`parser` is needed for PostgreSQL only). */
export async function analyseStatement(
  stmt: Statement,
  dialect: DialectName,
  parser?: PgParser,
): Promise<StatementAnalysis> {
  if (dialect === "sqlite") {
    const s = classifySqlite(stmt.sql);
    return {
      statement: stmt,
      operations: s.operations,
      ...(s.unsupported ? { unsupported: s.unsupported } : {}),
    };
  }
  if (dialect === "mysql") {
    const mysql = classifyMysql(stmt.sql);
    return { statement: stmt, operations: mysql.operations, mysql };
  }
  if (!parser) throw new Error("analyseStatement: PostgreSQL needs the parser");
  const parsed = await parser.parse(stmt.sql);
  if (!parsed.ok) {
    const at = locate(stmt, (parsed.position ?? 0) + 1);
    return {
      statement: stmt,
      operations: [],
      syntaxError: { message: parsed.message, line: at.line, column: at.column },
    };
  }
  // One split statement is normally one parsed statement; merge if the splitter kept more.
  const parts = parsed.statements.map((p) => classifyStatement(p.stmt));
  const order: Work[] = [
    "none",
    "metadata",
    "rows",
    "scan",
    "rewrite-unless-compatible",
    "rewrite",
  ];
  const work = parts.map((p) => p.work).reduce(
    (a, b) => order.indexOf(a) >= order.indexOf(b) ? a : b,
    "none" as Work,
  );
  return {
    statement: stmt,
    operations: parts.flatMap((p) => p.operations),
    work,
    locks: parts.flatMap((p) => p.locks),
    notes: parts.flatMap((p) => p.notes),
  };
}

/** Everything lint needs of `script`'s upgrade on `dialect`. */
export async function analyseRevision(
  script: RevisionScript,
  phase: LintPhase,
  dialect: DialectName,
  parser?: PgParser,
): Promise<LintRevision> {
  const statements: StatementAnalysis[] = [];
  for (const stmt of statementsFor(script, "up", dialect)) {
    statements.push(await analyseStatement(stmt, dialect, parser));
  }
  return {
    file: script.file,
    revision: script.id,
    phase,
    transactional: script.transactional,
    dialect,
    source: script.source,
    statements,
  };
}

/** A revision to lint and its phase. */
export interface LintTarget {
  readonly script: RevisionScript;
  readonly phase: LintPhase;
}

/**
 * Lint `targets` for `dialect`, in the order given (upgrade order: what a revision
 * establishes counts for those after it), reporting the findings of those `report`
 * accepts (default: all). Loads PostgreSQL's parser (once) only when `dialect` is
 * PostgreSQL and there is a statement to parse.
 */
export async function lintTargets(
  targets: readonly LintTarget[],
  dialect: DialectName,
  report: (revision: string) => boolean = () => true,
): Promise<Finding[]> {
  const needsParser = dialect === "postgresql" &&
    targets.some((t) => statementsFor(t.script, "up", dialect).length > 0);
  const parser = needsParser ? await pgParser() : undefined;
  const findings: Finding[] = [];
  const memory = lintMemory();
  for (const t of targets) {
    const found = lintRevision(await analyseRevision(t.script, t.phase, dialect, parser), memory);
    if (report(t.script.id)) findings.push(...found);
  }
  return findings;
}
