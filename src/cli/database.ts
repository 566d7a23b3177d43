/**
 * Commands that touch the database: `upgrade`, `downgrade`, `stamp`, `current`.
 *
 * @module
 */
import type { Command } from "commander";
import { BellowsError } from "../errors.ts";
import { currentRevisions, planDowngrade, planStamp, planUpgrade } from "../graph/plan.ts";
import { formatCurrent } from "../graph/format.ts";
import { execute, formatRevs, inspectState, type RunReport } from "../runner/run.ts";
import { previewSteps } from "../runner/preview.ts";
import { readAudit } from "../state/version_table.ts";
import type { Context } from "./context.ts";
import { appliedStepJson, revisionJson } from "./describe.ts";
import { action, type CommandResult, type Io } from "./output.ts";
import { previewPlan } from "./review.ts";

/** Log what a run did, and describe it for `--json`. */
async function runResult(
  ctx: Context,
  database: string,
  report: RunReport,
  verb: string,
): Promise<CommandResult> {
  const ms = report.steps.reduce((a, s) => a + s.durationMs, 0);
  if (report.steps.length === 0) {
    ctx.log.info(`Nothing to ${verb}: the database is at ${formatRevs(report.before)}`);
  } else if (verb !== "stamp") {
    ctx.log.info(
      `Done: ${formatRevs(report.before)} -> ${formatRevs(report.after)} ` +
        `(${report.steps.length} step${report.steps.length === 1 ? "" : "s"}, ${ms} ms)`,
    );
  }
  return {
    data: {
      database,
      source: await ctx.source(),
      before: report.before,
      after: report.after,
      steps: report.steps.map(appliedStepJson),
      durationMs: ms,
    },
  };
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
    .option("--dry-run", "list what would run, as `plan` does, and change nothing")
    .action(action(context, io, async (ctx, o: { dryRun?: boolean }, target: string) => {
      if (o.dryRun) return await previewPlan(ctx, { direction: "up", target });
      return await ctx.withDriver(async (driver, project) => {
        const report = await execute(
          driver,
          project,
          ctx.state,
          ctx.runOptions(),
          (heads) => planUpgrade(project.map, heads, target),
        );
        return await runResult(ctx, driver.display, report, "upgrade");
      });
    }));

  program
    .command("downgrade")
    .description("revert to a previous revision")
    .argument("<revision>", "target: base, -N, label@base, an id ...")
    .option("--dry-run", "list what would run, as `plan --down` does, and change nothing")
    .action(action(context, io, async (ctx, o: { dryRun?: boolean }, target: string) => {
      if (o.dryRun) return await previewPlan(ctx, { direction: "down", target });
      return await ctx.withDriver(async (driver, project) => {
        const report = await execute(
          driver,
          project,
          ctx.state,
          ctx.runOptions(),
          (heads) => planDowngrade(project.map, heads, target),
        );
        return await runResult(ctx, driver.display, report, "downgrade");
      });
    }));

  program
    .command("stamp")
    .description("set the version table to the given revision(s) without running scripts")
    .argument("<revisions...>", "one or more targets")
    .option("--purge", "empty the version table first")
    .action(action(context, io, async (ctx, o: { purge?: boolean }, targets: string[]) => {
      return await ctx.withDriver(async (driver, project) => {
        const report = await execute(
          driver,
          project,
          ctx.state,
          ctx.runOptions(),
          (heads) => planStamp(project.map, heads, targets, o.purge ?? false),
          o.purge ? "purge" : "stamp",
        );
        return await runResult(ctx, driver.display, report, "stamp");
      });
    }));

  program
    .command("current")
    .description("show the current revision(s) of the database")
    .option("-v, --verbose", "show details and when each revision was applied")
    .action(action(context, io, async (ctx, o: { verbose?: boolean }) => {
      const verbose = o.verbose ?? ctx.opts.verbose ?? false;
      return await ctx.withDriver(async (driver, project) => {
        const heads = await inspectState(driver, project, ctx.state, ctx.runOptions());
        const audit = await readAudit(driver, ctx.state);
        const lastApplied = (rev: string) => audit.filter((a) => a.revision === rev).at(-1);
        let pending = null;
        try {
          pending = await previewSteps(
            project,
            planUpgrade(project.map, heads, "heads"),
            driver.dialect.name,
          );
        } catch (e) {
          // `current` must answer even where no upgrade path exists; say so in --json.
          if (!(e instanceof BellowsError)) throw e;
          ctx.log.debug(`no upgrade plan to heads: ${e.message}`);
        }
        let text: string;
        if (!verbose) {
          text = formatCurrent(project.map, heads);
        } else {
          const out = [`Current revision(s) for ${driver.display}:\n`];
          for (const h of heads) {
            out.push(formatCurrent(project.map, [h], { verbose }));
            const last = lastApplied(h);
            if (last) {
              out.push(
                `Applied: ${last.appliedAt} (${last.direction}, ${last.durationMs} ms) on ` +
                  `${last.host} by bellows ${last.toolVersion}\n`,
              );
            }
          }
          text = out.join("");
        }
        return {
          text,
          data: {
            database: driver.display,
            source: await ctx.source(),
            current: heads,
            revisions: currentRevisions(project.map, heads).map((r) => {
              const last = lastApplied(r.id);
              return {
                ...revisionJson(r),
                applied: last
                  ? {
                    at: last.appliedAt,
                    direction: last.direction,
                    durationMs: last.durationMs,
                    host: last.host,
                    toolVersion: last.toolVersion,
                  }
                  : null,
              };
            }),
            pending,
          },
        };
      });
    }));
}
