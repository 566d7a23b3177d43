/**
 * Text of `history`, `heads`, `current`, `branches` and `show`, exactly as Alembic 1.8
 * prints it: a port of `Script.cmd_format`, `log_entry`, `_head_only` and
 * `_format_down_revision` (alembic/script/base.py) and of the loops in
 * alembic/command.py.
 *
 * Functions returning one entry return it without the final newline that the
 * command prints after it; the `format*` functions that return a whole command's
 * output return exactly what goes to stdout.
 *
 * Where Alembic prints a Python set (`Branches into:`, branch labels, `branches`'
 * children) its order varies between runs; here it is load order.
 *
 * @module
 */
import type { Revision, RevisionMap } from "./revision_map.ts";
import { historyRange } from "./plan.ts";
import { resolveRevisions, TargetResolver } from "./targets.ts";

/** Options of {@linkcode formatRevision}: Alembic's `cmd_format` arguments. */
export interface FormatOptions {
  /** Print the multi-line `log_entry` instead of one line. */
  readonly verbose?: boolean;
  /** Append the branch labels `(expand)`. */
  readonly includeBranches?: boolean;
  /** Append `, <message>`. */
  readonly includeDoc?: boolean;
  /** Prefix `<down> -> `. */
  readonly includeParents?: boolean;
  /** Append `(branchpoint)` / `(mergepoint)`. Default true. */
  readonly treeIndicators?: boolean;
  /** Mark the revision `(current)`. */
  readonly current?: boolean;
  /** Append `(replaces <id>)` for a revision that declares retired ids (bellows only). */
  readonly includeReplaces?: boolean;
}

/** Alembic's `_format_down_revision`: `<base>` or the `down_revision` ids joined by `, `. */
export function formatDownRevision(rev: Revision): string {
  return rev.versionedDownRevisions.length === 0 ? "<base>" : rev.versionedDownRevisions.join(", ");
}

/**
 * Alembic's `Script.log_entry`: the verbose, multi-line description (`show`,
 * `history -v`). Ends with a newline; the command prints another after it.
 * `Path:` shows {@linkcode Revision.file}.
 */
export function formatLogEntry(
  _map: RevisionMap,
  rev: Revision,
  opts: { readonly current?: boolean } = {},
): string {
  let entry = `Rev: ${rev.id}${rev.isHead ? " (head)" : ""}${
    rev.isBranchPoint ? " (branchpoint)" : ""
  }${rev.isMergePoint ? " (mergepoint)" : ""}${opts.current ? " (current)" : ""}\n`;
  entry += rev.isMergePoint
    ? `Merges: ${formatDownRevision(rev)}\n`
    : `Parent: ${formatDownRevision(rev)}\n`;
  if (rev.dependsOn.length > 0) entry += `Also depends on: ${rev.dependsOn.join(", ")}\n`;
  if (rev.isBranchPoint) entry += `Branches into: ${rev.nextRevisions.join(", ")}\n`;
  if (rev.branchLabels.length > 0) entry += `Branch names: ${rev.branchLabels.join(", ")}\n`;
  // Not Alembic's: shown only for a revision that declares retired ids, so others print as there.
  if (rev.replaces.length > 0) entry += `Replaces: ${rev.replaces.join(", ")}\n`;
  entry += `Path: ${rev.file ?? ""}\n`;
  const doc = rev.message.trim();
  entry += `\n${doc === "" ? "" : doc.split(/\r\n|\r|\n/).map((l) => `    ${l}`).join("\n")}\n`;
  return entry;
}

/** Alembic's `Script._head_only`: the one-line form. */
function headOnly(rev: Revision, opts: FormatOptions): string {
  let text = rev.id;
  if (opts.includeParents) {
    text = rev.dependsOn.length > 0
      ? `${formatDownRevision(rev)} (${rev.dependsOn.join(", ")}) -> ${text}`
      : `${formatDownRevision(rev)} -> ${text}`;
  }
  if (opts.includeBranches && rev.branchLabels.length > 0) {
    text += ` (${rev.branchLabels.join(", ")})`;
  }
  text += rev.isRealHead ? " (head)" : "";
  text += rev.isHead && !rev.isRealHead ? " (effective head)" : "";
  text += opts.current ? " (current)" : "";
  if (opts.treeIndicators ?? true) {
    text += rev.isBranchPoint ? " (branchpoint)" : "";
    text += rev.isMergePoint ? " (mergepoint)" : "";
  }
  // Not Alembic's; last, so that the part Alembic prints stays as it prints it.
  if (opts.includeReplaces && rev.replaces.length > 0) {
    text += ` (replaces ${rev.replaces.join(", ")})`;
  }
  if (opts.includeDoc) text += `, ${firstParagraph(rev.message)}`;
  return text;
}

/** Alembic's `Script.doc`: the message up to the first blank line. */
function firstParagraph(message: string): string {
  return message.trim().split("\n\n")[0];
}

/** Alembic's `Script.cmd_format`: a revision as one line, or as a `log_entry` when verbose. */
export function formatRevision(map: RevisionMap, rev: Revision, opts: FormatOptions = {}): string {
  return opts.verbose ? formatLogEntry(map, rev, { current: opts.current }) : headOnly(rev, opts);
}

/** Options of {@linkcode formatLogLine}. */
export interface LogLineOptions {
  /** `history -v`: the multi-line entry. */
  readonly verbose?: boolean;
  /** `history -i`: mark the revisions in `currentHeads` with `(current)`. */
  readonly indicateCurrent?: boolean;
  /** The database's version rows, for `indicateCurrent`. */
  readonly currentHeads?: readonly string[];
}

/**
 * One revision as `alembic history` prints it, e.g.
 * `27c6a30d7c24 -> 53fffde5ad5 (branchpoint), add a column` or
 * `<base> -> 1975ea83b712 (expand) (head), create account table`.
 */
export function formatLogLine(map: RevisionMap, rev: Revision, opts: LogLineOptions = {}): string {
  return formatRevision(map, rev, {
    verbose: opts.verbose,
    includeBranches: true,
    includeDoc: true,
    includeParents: true,
    includeReplaces: true,
    current: opts.indicateCurrent ? (opts.currentHeads ?? []).includes(rev.id) : false,
  });
}

/** Options of {@linkcode formatHeadLine}. */
export interface HeadLineOptions {
  /** The multi-line entry. */
  readonly verbose?: boolean;
  /**
   * `heads` (the default: branch labels, no branch/merge point marks) or `current`
   * (no labels, with branch/merge point marks).
   */
  readonly command?: "heads" | "current";
}

/**
 * One revision as `alembic heads` (`ae1027a6acf (expand) (head)`,
 * `(effective head)` for a head that another revision depends on) or
 * `alembic current` prints it.
 */
export function formatHeadLine(
  map: RevisionMap,
  rev: Revision,
  opts: HeadLineOptions = {},
): string {
  return (opts.command ?? "heads") === "heads"
    ? formatRevision(map, rev, {
      verbose: opts.verbose,
      includeBranches: true,
      treeIndicators: false,
    })
    : formatRevision(map, rev, { verbose: opts.verbose });
}

/**
 * `entries`, each followed by a line feed, as one string. Joined a few hundred at a time:
 * an entry is a tree of concatenated pieces, and holding 50,000 of them until one join at
 * the end made V8 keep them all (~25 MiB for `history` at 50,000 revisions, copied into
 * the old generation); joined in small chunks they die young.
 */
export function lines(entries: Iterable<string>): string {
  const chunks: string[] = [];
  let chunk: string[] = [];
  for (const e of entries) {
    chunk.push(e, "\n");
    if (chunk.length >= LINES_PER_CHUNK * 2) {
      chunks.push(chunk.join(""));
      chunk = [];
    }
  }
  chunks.push(chunk.join(""));
  return chunks.join("");
}

/** Entries {@linkcode lines} joins at a time. */
const LINES_PER_CHUNK = 500;

/** Options of {@linkcode formatHistory}. */
export interface HistoryOptions extends LogLineOptions {
  /** `-r start:end`. */
  readonly range?: string;
}

/** The whole stdout of `alembic history [-r range] [-v] [-i]`. */
export function formatHistory(map: RevisionMap, opts: HistoryOptions = {}): string {
  const revisions = historyRange(map, opts.range, opts.currentHeads);
  // Each line made as it is joined, not all of them first.
  return lines(function* () {
    for (const rev of revisions) yield formatLogLine(map, rev, opts);
  }());
}

/** The whole stdout of `alembic heads [-v] [--resolve-dependencies]`. */
export function formatHeads(
  map: RevisionMap,
  opts: { readonly verbose?: boolean; readonly resolveDependencies?: boolean } = {},
): string {
  const ids = opts.resolveDependencies ? map.realHeads : map.heads;
  return lines(ids.map((id) => formatHeadLine(map, map.get(id), { verbose: opts.verbose })));
}

/**
 * The revision lines of `alembic current [-v]` for the version rows `currentHeads`
 * (without the `Current revision(s) for <url>:` line that `-v` prints first).
 */
export function formatCurrent(
  map: RevisionMap,
  currentHeads: readonly string[],
  opts: { readonly verbose?: boolean } = {},
): string {
  return lines(
    new TargetResolver(map).allCurrent(currentHeads).map((rev) =>
      formatHeadLine(map, rev, { verbose: opts.verbose, command: "current" })
    ),
  );
}

/** The whole stdout of `alembic branches [-v]`. */
export function formatBranches(
  map: RevisionMap,
  opts: { readonly verbose?: boolean } = {},
): string {
  const blocks: string[] = [];
  for (const rev of historyRange(map, undefined)) {
    if (!rev.isBranchPoint) continue;
    const pad = " ".repeat(rev.id.length);
    const children = rev.nextRevisions.map((id) =>
      `${pad} -> ${
        formatRevision(map, map.get(id), { includeBranches: true, includeDoc: opts.verbose })
      }`
    );
    blocks.push(
      `${formatRevision(map, rev, { verbose: opts.verbose, includeBranches: true })}\n${
        children.join("\n")
      }\n`,
    );
  }
  return lines(blocks);
}

/** The whole stdout of `alembic show <target>`: a log entry for each revision it names. */
export function formatShow(map: RevisionMap, target: string): string {
  return lines(resolveRevisions(map, target).map((rev) => formatLogEntry(map, rev)));
}
