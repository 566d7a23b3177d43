/**
 * Commands that touch the database: `upgrade`, `downgrade`, `stamp`, `current`.
 *
 * @module
 */
import type { Command } from "commander";
import { planDowngrade, planStamp, planUpgrade } from "../graph/plan.ts";
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

/** Register the database commands on `program`. */
export function registerDatabaseCommands(
  program: Command,
  context: (cmd: Command) => Context,
  io: Io,
): void {
  program
    .command("upgrade")
    .description("upgrade to a later revision (default: every head)")
    .argument("[revision]", "target: head, heads, label@head, +N, an id ...", "heads")
    .action(async (target: string, _o, cmd: Command) => {
      const ctx = context(cmd);
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
    .argument("<revision>", "target: base, -N, label@base, an id ...")
    .action(async (target: string, _o, cmd: Command) => {
      const ctx = context(cmd);
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
    .argument("<revisions...>", "one or more targets")
    .option("--purge", "empty the version table first")
    .action(async (targets: string[], o: { purge?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
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
