/**
 * Commands that read the scripts only (and, for `history -i`, the current heads):
 * `history`, `heads`, `branches`, `show`.
 *
 * @module
 */
import type { Command } from "commander";
import { formatBranches, formatHeads, formatHistory, formatShow } from "../graph/format.ts";
import { historyRange } from "../graph/plan.ts";
import { resolveRevisions } from "../graph/targets.ts";
import { inspectState } from "../runner/run.ts";
import { readAudit } from "../state/version_table.ts";
import { VERSION } from "../version.ts";
import { escapeControls } from "../log.ts";
import type { Context, SourceInfo } from "./context.ts";
import { auditJson, revisionJson } from "./describe.ts";
import { action, type Io } from "./output.ts";

/**
 * Print a formatter's whole output (which ends in a newline) as Alembic does. Commands
 * return a CommandResult instead (output.ts), so that `--json` covers them.
 */
export function print(io: Io, text: string): void {
  if (text.length > 0) io.out(text.replace(/\n$/, ""));
}

/** `history --source`: which set of scripts is in use, in one line. */
export function formatSource(s: SourceInfo): string {
  const where = s.kind === "bundled" ? `bundled (built into bellows ${VERSION})` : s.path;
  return `${where}: ${s.revisions} revision${s.revisions === 1 ? "" : "s"}, sha256 ${s.digest}`;
}

/**
 * What `history` loads when it reads the database too (`-i`, `--audit`): the scripts, their
 * statements split only when read (a check of the recorded state may read them). Listing
 * alone loads the graph from the headers ({@linkcode Context.graph}).
 */
const LAZY_STATEMENTS = { lazyStatements: true } as const;

/** Register the inspection commands on `program`. */
export function registerInspectCommands(
  program: Command,
  context: (cmd: Command) => Context,
  io: Io,
): void {
  program
    .command("history")
    .description("list revisions in order, newest first")
    .option("-r, --rev-range <range>", "range start:end (each side optional)")
    .option("-i, --indicate-current", "mark the database's current revision(s)")
    .option("-v, --verbose", "show details of each revision")
    .option("--audit", "list the steps bellows applied to the database instead")
    .option("--source", "say which set of revision scripts is in use (bundled or a directory)")
    .action(action(
      context,
      io,
      async (
        ctx,
        o: {
          revRange?: string;
          indicateCurrent?: boolean;
          verbose?: boolean;
          audit?: boolean;
          source?: boolean;
        },
      ) => {
        const verbose = o.verbose ?? ctx.opts.verbose ?? false;
        const current = o.indicateCurrent || (o.revRange ?? "").includes("current");
        const project = o.source || o.audit || current
          ? await ctx.project(LAZY_STATEMENTS)
          : await ctx.graph();
        if (o.source) {
          const source = await ctx.source();
          return { text: escapeControls(formatSource(source)), data: { source } };
        }
        if (o.audit) {
          return await ctx.withDriver(async (driver) => {
            const audit = await readAudit(driver, ctx.state);
            const text = audit.map((a) =>
              `${a.appliedAt} ${a.direction.padEnd(5)} ${a.revision} ${a.status} ` +
              `${a.durationMs} ms ${a.checksum?.slice(0, 12) ?? "-"} ${a.host} ` +
              `bellows ${a.toolVersion}\n`
            ).join("");
            return {
              text: escapeControls(text),
              data: async () => ({
                database: driver.display,
                source: await ctx.source(),
                audit: audit.map(auditJson),
              }),
            };
          }, { readOnly: true, ...LAZY_STATEMENTS });
        }
        const heads = current
          ? await ctx.withDriver(
            (driver, project) => inspectState(driver, project, ctx.state, ctx.runOptions()),
            { readOnly: true, ...LAZY_STATEMENTS },
          )
          : undefined;
        const text = formatHistory(project.map, {
          range: o.revRange,
          verbose,
          currentHeads: heads,
          indicateCurrent: o.indicateCurrent ?? false,
        });
        return {
          // Script text (messages, labels, file names) never reaches the terminal raw.
          text: escapeControls(text),
          data: async () => ({
            source: await ctx.source(),
            current: heads ?? null,
            revisions: historyRange(project.map, o.revRange, heads).map((r) => ({
              ...revisionJson(r),
              ...(heads ? { current: heads.includes(r.id) } : {}),
            })),
          }),
        };
      },
    ));

  program
    .command("heads")
    .description("show the current heads of the scripts")
    .option("-v, --verbose", "show details")
    .option("--resolve-dependencies", "treat dependency versions as down revisions")
    .action(action(
      context,
      io,
      async (ctx, o: { verbose?: boolean; resolveDependencies?: boolean }) => {
        const project = await ctx.graph();
        const verbose = o.verbose ?? ctx.opts.verbose ?? false;
        const map = project.map;
        const ids = o.resolveDependencies ? map.realHeads : map.heads;
        return {
          text: escapeControls(
            formatHeads(map, { verbose, resolveDependencies: o.resolveDependencies }),
          ),
          data: async () => ({
            source: await ctx.source(),
            heads: ids.map((id) => revisionJson(map.get(id))),
          }),
        };
      },
    ));

  program
    .command("branches")
    .description("show branch points")
    .option("-v, --verbose", "show details")
    .action(action(context, io, async (ctx, o: { verbose?: boolean }) => {
      const project = await ctx.graph();
      const verbose = o.verbose ?? ctx.opts.verbose ?? false;
      return {
        text: escapeControls(formatBranches(project.map, { verbose })),
        data: async () => ({
          source: await ctx.source(),
          branches: historyRange(project.map, undefined).filter((r) => r.isBranchPoint)
            .map(revisionJson),
        }),
      };
    }));

  program
    .command("show")
    .description("show one revision")
    .argument("<revision>", "an id, partial id, head, label@head ...")
    .action(action(context, io, async (ctx, _o: unknown, target: string) => {
      const project = await ctx.graph();
      return {
        text: escapeControls(formatShow(project.map, target)),
        data: async () => ({
          source: await ctx.source(),
          revisions: resolveRevisions(project.map, target).map(revisionJson),
        }),
      };
    }));
}
