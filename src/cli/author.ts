/**
 * Commands that write new revision files: `revision` and `merge`.
 *
 * @module
 */
import type { Command } from "commander";
import { resolveRevisions } from "../graph/targets.ts";
import type { RevisionMap } from "../graph/revision_map.ts";
import { newRevisionId, renderRevision, revisionFileName } from "../script/write.ts";
import { parseScript } from "../script/parse.ts";
import { loadPhasedProject } from "../phases/project.ts";
import { isPermissionError, UsageError } from "../errors.ts";
import { missingPermission } from "../permissions.ts";
import type { Context } from "./context.ts";
import { action, type CommandResult, type Io } from "./output.ts";

function resolve(map: RevisionMap, target: string): string[] {
  return resolveRevisions(map, target).map((r) => r.id);
}

function list(text: string | undefined): string[] {
  return (text ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

async function writeRevision(
  ctx: Context,
  rev: {
    id: string;
    downRevisions: string[];
    branchLabels: string[];
    dependsOn: string[];
    message: string;
  },
): Promise<CommandResult> {
  const dir = ctx.migrationsDir;
  if (!dir) {
    throw new UsageError(
      "new revisions are written to a directory: pass --migrations DIR or set " +
        "BELLOWS_MIGRATIONS (the bundled set is read-only)",
    );
  }
  const project = await ctx.project();
  const text = renderRevision(rev);
  const path = `${dir.replace(/\/+$/, "")}/${revisionFileName(rev.id, rev.message)}`;
  // Check the new file against the existing graph before writing anything.
  const files = [...project.scripts.values()].map((s) => ({ path: s.file, text: s.source }));
  parseScript({ path, text });
  loadPhasedProject(project.source, [...files, { path, text }]);
  try {
    await Deno.writeTextFile(path, text, { createNew: true });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) throw new UsageError(`${path} already exists`);
    if (isPermissionError(e)) throw missingPermission(`writing ${path}`, `--allow-write=${dir}`);
    // The operating system refused (a read-only folder, a full disk): nothing was written.
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new UsageError(`cannot write ${path}: ${msg}`);
  }
  return {
    text: `Generating ${path} ... done`,
    data: {
      path,
      revision: rev.id,
      downRevisions: rev.downRevisions,
      branchLabels: rev.branchLabels,
      dependsOn: rev.dependsOn,
      message: rev.message,
    },
  };
}

/** Register the authoring commands on `program`. */
export function registerAuthorCommands(
  program: Command,
  context: (cmd: Command) => Context,
  io: Io,
): void {
  program
    .command("revision")
    .description("write a new revision file on top of the current head")
    .requiredOption("-m, --message <message>", "one-line message")
    .option("--rev-id <id>", "use this revision id instead of a fresh 12-hex one")
    .option("--head <target>", "base the revision on this head (default: head)", "head")
    .option("--branch-label <labels>", "branch label(s) for the new revision, comma-separated")
    .option("--depends-on <revs>", "revision(s) this one depends on, comma-separated")
    .option("--splice", "allow a --head that is not a head")
    .action(action(
      context,
      io,
      async (
        ctx,
        o: {
          message: string;
          revId?: string;
          head: string;
          branchLabel?: string;
          dependsOn?: string;
          splice?: boolean;
        },
      ) => {
        const project = await ctx.project();
        const map = project.map;
        let down: string[];
        if (o.head === "base") {
          down = [];
        } else {
          down = resolve(map, o.head);
          for (const d of down) {
            if (!o.splice && !map.get(d).isHead) {
              throw new UsageError(
                `revision '${d}' is not a head revision; pass --splice to create a new branch from it`,
              );
            }
          }
        }
        return await writeRevision(ctx, {
          id: o.revId ?? newRevisionId(),
          downRevisions: down,
          branchLabels: list(o.branchLabel),
          dependsOn: list(o.dependsOn).flatMap((d) => resolve(map, d)),
          message: o.message,
        });
      },
    ));

  program
    .command("merge")
    .description("write a merge revision that joins two or more heads")
    .argument("<revisions...>", "the revisions to merge (e.g. heads)")
    .requiredOption("-m, --message <message>", "one-line message")
    .option("--rev-id <id>", "use this revision id instead of a fresh 12-hex one")
    .option("--branch-label <labels>", "branch label(s) for the merge revision, comma-separated")
    .action(action(
      context,
      io,
      async (
        ctx,
        o: { message: string; revId?: string; branchLabel?: string },
        targets: string[],
      ) => {
        const project = await ctx.project();
        const down = [...new Set(targets.flatMap((t) => resolve(project.map, t)))];
        if (down.length < 2) {
          throw new UsageError(
            `a merge needs at least two revisions; ${targets.join(" ")} resolved to ${
              down.join(", ") || "nothing"
            }`,
          );
        }
        return await writeRevision(ctx, {
          id: o.revId ?? newRevisionId(),
          downRevisions: down,
          branchLabels: list(o.branchLabel),
          dependsOn: [],
          message: o.message,
        });
      },
    ));
}
