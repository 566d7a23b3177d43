/**
 * Which statements of a script run, and a checksum of them.
 *
 * @module
 */
import type { DialectName } from "../drivers/types.ts";
import type { Direction } from "../graph/types.ts";
import type { RevisionScript, Statement } from "./types.ts";
import { sha256Hex } from "./sha256.ts";

/** Options for {@linkcode statementsFor}. */
export interface SelectOptions {
  /** Leave out `rolling` sections (the `sync` command). */
  readonly skipRolling?: boolean;
}

/**
 * The statements that run for `direction` on `dialect`, in file order: those of
 * every section of that direction whose dialect is unset or `dialect`, less
 * rolling sections when `skipRolling` is set.
 */
export function statementsFor(
  script: RevisionScript,
  direction: Direction,
  dialect: DialectName,
  options: SelectOptions = {},
): Statement[] {
  return script.sections
    .filter((s) =>
      s.direction === direction && (s.dialect === undefined || s.dialect === dialect) &&
      !(options.skipRolling && s.rolling)
    )
    .flatMap((s) => s.statements);
}

/**
 * SHA-256 (lowercase hex) of the statement texts joined with `;\n`.
 *
 * Only statement text counts, so editing comments or whitespace between
 * statements, or moving statements between sections, keeps the checksum;
 * any change inside a statement, including its inner comments, changes it.
 * Synchronous and in plain TypeScript (see sha256.ts for why).
 */
export function checksum(statements: readonly Statement[]): string {
  return sha256Hex(statements.map((s) => s.sql).join(";\n"));
}
