/**
 * Version rows that hold a retired revision id: an id a script's `replaces` header names
 * (Glance's `ocata01` for `ocata_contract01`, `pike01` for `pike_contract01`).
 *
 * glance-manage rewrites such a row to the replacing id every time it reads the version
 * table (`get_current_alembic_heads` in glance/db/sqlalchemy/alembic_migrations): an
 * `UPDATE alembic_version SET version_num = <new> WHERE version_num = <old>`, committed at
 * once, before anything else is done. bellows does the same for commands that write, under
 * the runner lock and logged; commands that only read take the row for the replacing
 * revision and leave it as it is.
 *
 * @module
 */
import type { VersionOp } from "../graph/types.ts";
import type { Driver } from "../drivers/types.ts";
import type { Logger } from "../log.ts";
import { applyVersionOps, readHeads, type StateConfig } from "./version_table.ts";

/** A version row holding a retired id, and the revision whose `replaces` names it. */
export interface ReplacedRow {
  /** The retired id the row holds. */
  readonly from: string;
  /** The revision it stands for. */
  readonly to: string;
}

/** What knows the retired ids: a {@linkcode RevisionMap}. */
export interface Replacements {
  /** The revision that replaces `id`, or undefined. */
  replacedBy(id: string): string | undefined;
}

/** The rows of `rows` that hold a retired id, in row order. */
export function replacedRows(rows: readonly string[], map: Replacements): ReplacedRow[] {
  const out: ReplacedRow[] = [];
  for (const from of rows) {
    const to = map.replacedBy(from);
    if (to !== undefined) out.push({ from, to });
  }
  return out;
}

/**
 * The version-table changes that rewrite `replaced` as glance-manage does: each row
 * updated to the replacing id, in row order; a row whose replacing id is already a row
 * (or became one) is deleted instead, since both say the same and the table holds each
 * revision once (glance-manage's UPDATE would stop there on the primary key).
 */
export function replacementOps(
  rows: readonly string[],
  replaced: readonly ReplacedRow[],
): VersionOp[] {
  const present = new Set(rows);
  const ops: VersionOp[] = [];
  for (const r of replaced) {
    if (present.has(r.to)) ops.push({ op: "delete", rev: r.from });
    else ops.push({ op: "update", from: r.from, to: r.to });
    present.delete(r.from);
    present.add(r.to);
  }
  return ops;
}

/**
 * `rows` as the revisions they stand for: each retired id replaced by its revision, in
 * place, and a row whose revision is already listed dropped (what {@linkcode replacementOps}
 * leaves in the table).
 */
export function resolveReplaced(rows: readonly string[], map: Replacements): string[] {
  const out: string[] = [];
  for (const row of rows) {
    const rev = map.replacedBy(row) ?? row;
    if (!out.includes(rev)) out.push(rev);
  }
  return out;
}

/** How {@linkcode readCurrentHeads} treats retired ids. */
export interface ReplacedOptions {
  /**
   * Rewrite rows holding a retired id, in a transaction of their own, committed before
   * anything else (as glance-manage). Only for commands that hold the runner lock.
   */
  readonly write: boolean;
  readonly log: Logger;
}

/**
 * The version rows as the revisions they stand for ({@linkcode readHeads}, then
 * {@linkcode resolveReplaced}). With `write`, rows holding a retired id are rewritten
 * first and each rewrite is logged; without, each is reported at `-v` and left alone.
 */
export async function readCurrentHeads(
  driver: Driver,
  cfg: StateConfig,
  map: Replacements,
  opts: ReplacedOptions,
): Promise<string[]> {
  const rows = await readHeads(driver, cfg);
  const replaced = replacedRows(rows, map);
  if (replaced.length === 0) return rows;
  const table = driver.dialect.table(cfg.versionTable);
  if (!opts.write) {
    for (const r of replaced) {
      opts.log.debug(
        `${table} holds '${r.from}', a retired id of '${r.to}': read as '${r.to}' and left ` +
          `as it is (a command that writes rewrites it, as glance-manage does)`,
      );
    }
    return resolveReplaced(rows, map);
  }
  const ops = replacementOps(rows, replaced);
  await driver.transaction((tx) => applyVersionOps(tx, driver.dialect, cfg, ops));
  for (const op of ops) {
    if (op.op === "update") {
      opts.log.info(
        `rewrote version row ${op.from} -> ${op.to} (replaced id, as glance-manage does)`,
      );
    } else if (op.op === "delete") {
      opts.log.info(
        `deleted version row ${op.rev}: it is a replaced id of '${
          map.replacedBy(op.rev)
        }', which ${table} already holds`,
      );
    }
  }
  return await readHeads(driver, cfg);
}
