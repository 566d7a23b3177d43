/**
 * The kinds of {@linkcode RevisionError} the graph raises internally, mirroring
 * Alembic's `RevisionError` subclasses, so that each command can reword them the
 * way Alembic's `ScriptDirectory._catch_revision_errors` does.
 *
 * @module
 */
import { RevisionError } from "../errors.ts";

/** Alembic's `ResolutionError`: an identifier did not resolve to a revision. */
export class ResolutionError extends RevisionError {
  /** The identifier that failed to resolve. */
  readonly argument: string;

  /** An error naming the identifier that did not resolve. */
  constructor(message: string, argument: string) {
    super(message);
    this.name = "ResolutionError";
    this.argument = argument;
  }
}

/** Alembic's `MultipleHeads`: `head` (or `label@head`) named more than one revision. */
export class MultipleHeadsError extends RevisionError {
  /** The heads found. */
  readonly heads: readonly string[];
  /** The argument that was given (`head`, `expand@head`, ...). */
  readonly argument: string;

  /** An error listing the heads `argument` named. */
  constructor(heads: readonly string[], argument: string) {
    super(
      `Multiple head revisions are present for given argument '${argument}'; please specify ` +
        `a specific target revision, '<branchname>@${argument}' to narrow to a specific head, ` +
        `or 'heads' for all heads`,
    );
    this.name = "MultipleHeadsError";
    this.heads = heads;
    this.argument = argument;
  }
}

/** Alembic's `RangeNotAncestorError`: the two ends of a range are not on one line. */
export class RangeNotAncestorError extends RevisionError {
  /** Lower end, as given (undefined for base). */
  readonly lower: string | undefined;
  /** Upper end, as given (undefined for base). */
  readonly upper: string | undefined;

  /** An error naming both ends of the range. */
  constructor(lower: string | undefined, upper: string | undefined) {
    super(`Revision ${lower ?? "base"} is not an ancestor of revision ${upper ?? "base"}`);
    this.name = "RangeNotAncestorError";
    this.lower = lower;
    this.upper = upper;
  }
}

/** Names a revision for an error message: `'abc' (versions/abc.sql)`, or `'abc'` without a file. */
export function describeRevision(rev: { readonly id: string; readonly file?: string }): string {
  return rev.file === undefined ? `'${rev.id}'` : `'${rev.id}' (${rev.file})`;
}

/** Options for {@linkcode rewordRevisionError}, Alembic's `_catch_revision_errors` arguments. */
export interface RewordOptions {
  /** Message for a range error; `%(start)s` and `%(end)s` are substituted. */
  readonly ancestor?: string;
  /** Message for a multiple-heads error; `%(head_arg)s` is substituted. */
  readonly multipleHeads?: string;
  /** Start of the range, for the messages. */
  readonly start?: string;
  /** End of the range (also the `head_arg` when set). */
  readonly end?: string;
}

/**
 * Rewords a graph error the way Alembic's `ScriptDirectory._catch_revision_errors`
 * does for the command at hand; other errors are returned unchanged.
 */
export function rewordRevisionError(err: unknown, opts: RewordOptions = {}): unknown {
  if (err instanceof RangeNotAncestorError) {
    const start = opts.start ?? err.lower ?? "None";
    const end = opts.end ?? err.upper ?? "None";
    const template = opts.ancestor ??
      "Requested range %(start)s:%(end)s does not refer to ancestor/descendant revisions " +
        "along the same branch";
    return new RevisionError(
      template.replaceAll("%(start)s", start).replaceAll("%(end)s", end),
      { cause: err },
    );
  }
  if (err instanceof MultipleHeadsError) {
    if (opts.multipleHeads !== undefined) {
      return new RevisionError(
        opts.multipleHeads.replaceAll("%(head_arg)s", opts.end ?? err.argument),
        { cause: err },
      );
    }
    if (opts.end !== undefined && opts.end !== err.argument) {
      return new MultipleHeadsError(err.heads, opts.end);
    }
  }
  return err;
}
