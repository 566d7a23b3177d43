/**
 * Commands that touch the database: `upgrade`, `downgrade`, `stamp`, `current`.
 *
 * @module
 */
import type { Command } from "commander";
import { planDowngrade, planStamp, planUpgrade } from "../graph/plan.ts";
import { offlineStartHeads } from "../graph/targets.ts";
import type { Step } from "../graph/types.ts";
import { dialectOf, postgresDialect, sqliteDialect } from "../drivers/mod.ts";
import { renderOfflineScript } from "../runner/offline.ts";
import type { Project } from "../runner/project.ts";
import { PermissionError, UsageError } from "../errors.ts";
import { formatCurrent } from "../graph/format.ts";
import { execute, formatRevs, inspectState, type RunReport } from "../runner/run.ts";
import { readAudit } from "../state/version_table.ts";
import type { Context } from "./context.ts";
import type { Io } from "./mod.ts";
import { print } from "./inspect.ts";

function summarize(ctx: Context, report: RunReport, verb: string) {
  if (report.steps.length === 0) {
    ctx.log.info(`Nothing to ${verb}: the database is at ${formatRevs(report.before)}`);
  } else {
    const ms = report.steps.reduce((a, s) => a + s.durationMs, 0);
    ctx.log.info(
      `Done: ${formatRevs(report.before)} -> ${formatRevs(report.after)} ` +
        `(${report.steps.length} step${report.steps.length === 1 ? "" : "s"}, ${ms} ms)`,
    );
  }
}

/** Options of the commands that can print SQL instead of running it. */
interface OfflineFlags {
  sql?: boolean;
  output?: string;
}

/**
 * `start:end` as Alembic splits it (`revision.split(":", 2)`): start undefined when
 * there is no `:`; more than one `:` is refused.
 */
function splitRange(target: string): { start?: string; end: string } {
  const parts = target.split(":");
  if (parts.length === 1) return { end: target };
  if (parts.length > 2) throw new UsageError(`'${target}': a range has one ':' (start:end)`);
  return { start: parts[0], end: parts[1] };
}

/**
 * Offline mode: render the SQL for the plan from the assumed start heads and print it
 * (or write it to --output). No database is opened; the dialect comes from the URL.
 */
async function runOffline(
  ctx: Context,
  io: Io,
  flags: OfflineFlags,
  start: string | undefined,
  plan: (project: Project, heads: readonly string[]) => Step[],
): Promise<void> {
  const project = await ctx.project();
  const dialect = dialectOf(ctx.url) === "postgresql" ? postgresDialect : sqliteDialect;
  const heads = offlineStartHeads(project.map, start);
  const text = await renderOfflineScript(project, heads, plan(project, heads), {
    dialect,
    state: ctx.state,
    skipRolling: false,
    toolVersion: ctx.runOptions().toolVersion,
    host: `${ctx.runOptions().host} (--sql)`,
  });
  if (flags.output) {
    try {
      await Deno.writeTextFile(flags.output, text);
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
        throw new PermissionError(
          `no permission to write ${flags.output}: run with --allow-write=${flags.output}`,
        );
      }
      const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
      throw new UsageError(`cannot write ${flags.output}: ${msg}`);
    }
    ctx.log.info(`Wrote the SQL script to ${flags.output}`);
  } else {
    // The script ends in a blank line, as Alembic's does; out() adds the last newline.
    io.out(text.replace(/\n$/, ""));
  }
}

function requireSqlForOutput(flags: OfflineFlags) {
  if (flags.output && !flags.sql) throw new UsageError("--output is for --sql mode");
}

/** Register the database commands on `program`. */
export function registerDatabaseCommands(
  program: Command,
  context: (cmd: Command) => Context,
  io: Io,
): void {
  program
    .command("upgrade")
    .description("upgrade to a later revision (default: every head)")
    .argument(
      "[revision]",
      "target: head, heads, label@head, +N, an id ...; start:end with --sql",
      "heads",
    )
    .option("--sql", "print the SQL script instead of running it (no database needed)")
    .option("-o, --output <file>", "with --sql: write the script to this file")
    .action(async (target: string, o: OfflineFlags, cmd: Command) => {
      const ctx = context(cmd);
      requireSqlForOutput(o);
      const { start, end } = splitRange(target);
      if (o.sql) {
        return await runOffline(ctx, io, o, start, (p, heads) => planUpgrade(p.map, heads, end));
      }
      if (start !== undefined) throw new UsageError("Range revision not allowed");
      await ctx.withDriver(async (driver, project) => {
        const report = await execute(
          driver,
          project,
          ctx.state,
          ctx.runOptions(),
          (heads) => planUpgrade(project.map, heads, target),
        );
        summarize(ctx, report, "upgrade");
      });
    });

  program
    .command("downgrade")
    .description("revert to a previous revision")
    .argument("<revision>", "target: base, -N, label@base, an id ...; start:end with --sql")
    .option("--sql", "print the SQL script instead of running it (no database needed)")
    .option("-o, --output <file>", "with --sql: write the script to this file")
    .action(async (target: string, o: OfflineFlags, cmd: Command) => {
      const ctx = context(cmd);
      requireSqlForOutput(o);
      const { start, end } = splitRange(target);
      if (o.sql) {
        if (start === undefined) {
          throw new UsageError("downgrade with --sql requires <fromrev>:<torev>");
        }
        return await runOffline(ctx, io, o, start, (p, heads) => planDowngrade(p.map, heads, end));
      }
      if (start !== undefined) throw new UsageError("Range revision not allowed");
      await ctx.withDriver(async (driver, project) => {
        const report = await execute(
          driver,
          project,
          ctx.state,
          ctx.runOptions(),
          (heads) => planDowngrade(project.map, heads, target),
        );
        summarize(ctx, report, "downgrade");
      });
    });

  program
    .command("stamp")
    .description("set the version table to the given revision(s) without running scripts")
    .argument("<revisions...>", "one or more targets; with --sql each may be start:target")
    .option("--purge", "empty the version table first")
    .option("--sql", "print the SQL script instead of running it (no database needed)")
    .option("-o, --output <file>", "with --sql: write the script to this file")
    .action(async (targets: string[], o: { purge?: boolean } & OfflineFlags, cmd: Command) => {
      const ctx = context(cmd);
      requireSqlForOutput(o);
      if (o.sql) {
        if (o.purge) throw new UsageError("Can't use --purge with --sql mode");
        // As Alembic: every start:target must name the same start.
        let start: string | undefined;
        const dests = targets.map((t) => {
          const r = splitRange(t);
          if (r.start !== undefined && r.start !== start) {
            if (start !== undefined) {
              throw new UsageError(
                "Stamp operation with --sql only supports a single starting revision at a time",
              );
            }
            start = r.start;
          }
          return r.end;
        });
        return await runOffline(
          ctx,
          io,
          o,
          start,
          (p, heads) => planStamp(p.map, heads, dests, false),
        );
      }
      await ctx.withDriver(async (driver, project) => {
        const report = await execute(
          driver,
          project,
          ctx.state,
          ctx.runOptions(),
          (heads) => planStamp(project.map, heads, targets, o.purge ?? false),
          o.purge ? "purge" : "stamp",
        );
        if (report.steps.length === 0) {
          ctx.log.info(`Nothing to stamp: the database is at ${formatRevs(report.before)}`);
        }
      });
    });

  program
    .command("current")
    .description("show the current revision(s) of the database")
    .option("-v, --verbose", "show details and when each revision was applied")
    .action(async (o: { verbose?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const verbose = o.verbose ?? ctx.opts.verbose ?? false;
      await ctx.withDriver(async (driver, project) => {
        const heads = await inspectState(driver, project, ctx.state, ctx.runOptions());
        if (!verbose) return print(io, formatCurrent(project.map, heads));
        io.out(`Current revision(s) for ${driver.display}:`);
        const audit = await readAudit(driver, ctx.state);
        for (const h of heads) {
          print(io, formatCurrent(project.map, [h], { verbose }));
          const last = audit.filter((a) => a.revision === h).at(-1);
          if (last) {
            io.out(
              `Applied: ${last.appliedAt} (${last.direction}, ${last.durationMs} ms) on ` +
                `${last.host} by bellows ${last.toolVersion}`,
            );
          }
        }
      });
    });
}
