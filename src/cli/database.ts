/**
 * Commands that touch the database: `upgrade`, `downgrade`, `stamp`, `current`.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { currentRevisions, planDowngrade, planStamp, planUpgrade } from "../graph/plan.ts";
import { offlineStartHeads, TargetResolver } from "../graph/targets.ts";
import type { Step } from "../graph/types.ts";
import { dialectForUrl } from "../drivers/mod.ts";
import { renderOfflineScript } from "../runner/offline.ts";
import type { Project } from "../runner/project.ts";
import { BellowsError, ExitCode, PhaseError, UsageError } from "../errors.ts";
import { isPermissionError, missingPermission } from "../permissions.ts";
import { formatCurrent, formatHeadLine } from "../graph/format.ts";
import { formatRevs } from "../runner/execution.ts";
import { execute, inspectState, type RunReport } from "../runner/run.ts";
import { previewSteps } from "../runner/preview.ts";
import { readAudit } from "../state/version_table.ts";
import type { Context } from "./context.ts";
import { escapeControls } from "../log.ts";
import { revisionJson, runJson } from "./describe.ts";
import { action, type CommandResult, type Io } from "./output.ts";
import { previewPlan } from "./review.ts";
import { upgradeAsReviewed } from "./plan_file.ts";
import { type BatchFlags, phaseRunOptions, runPhasedCommand } from "./phases.ts";
import { dataMigrationsRetiredBy, splitUpgrade } from "../phases/phase.ts";

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
  return { data: runJson(database, await ctx.source(), report) };
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
  flags: OfflineFlags,
  start: string | undefined,
  plan: (project: Project, heads: readonly string[]) => Step[],
): Promise<CommandResult> {
  const project = await ctx.revisions();
  const dialect = dialectForUrl(ctx.url);
  const heads = offlineStartHeads(project.map, start);
  const steps = plan(project, heads);
  const text = renderOfflineScript(project, heads, steps, {
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
      if (isPermissionError(e)) {
        throw missingPermission(`writing ${flags.output}`, `--allow-write=${flags.output}`);
      }
      const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
      throw new UsageError(`cannot write ${flags.output}: ${msg}`);
    }
    ctx.log.info(`Wrote the SQL script to ${flags.output}`);
  }
  const data = {
    source: await ctx.source(),
    dialect: dialect.name,
    start: heads,
    steps: steps.length,
    output: flags.output ?? null,
    sql: flags.output ? null : text,
  };
  // The script ends in a blank line, as Alembic's does; the printer adds the last newline.
  return { data, text: flags.output ? "" : text };
}

/** `--dry-run` of upgrade and downgrade. */
interface DryRun {
  dryRun?: boolean;
}

function requireSqlForOutput(flags: OfflineFlags) {
  if (flags.output && !flags.sql) throw new UsageError("--output is for --sql mode");
}

/**
 * An offline upgrade script cannot run data migrations. From an empty database they
 * have nothing to move, so the script is printed with a warning; from a start with
 * rows, printing contract revisions that retire them is refused (exit 4).
 */
function refuseOffline(
  ctx: Context,
  heads: readonly string[],
  skipped: readonly string[],
  end: string,
): void {
  if (heads.length === 0) {
    ctx.log.warn(
      `the script leaves out data migration(s) ${skipped.join(", ")}: they only run online; ` +
        `on an empty database they have nothing to move`,
    );
    return;
  }
  throw new PhaseError(
    `upgrade --sql refused: it would print contract revisions that need data migration(s) ` +
      `${skipped.join(", ")} done first, and those only run online (they repeat a batch ` +
      `until their check query counts 0). Print the expand part ('upgrade --sql ` +
      `${heads.join(",")}:expand@head'), run 'bellows migrate' against the database, then ` +
      `print the rest up to ${end}`,
    ExitCode.MIGRATE_NEEDED,
  );
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
    .addOption(
      new Option("--dry-run", "list what would run, as `plan` does, and change nothing")
        .conflicts("sql"),
    )
    .option(
      "--batch-size <rows>",
      "rows per data migration transaction, when the upgrade goes on into contract revisions",
    )
    .option("--batch-time <duration>", "see 'migrate': adapt the batch size toward this")
    .option("--batch-pause <duration>", "see 'migrate': pause between batches")
    .option("--max-replica-lag <duration>", "see 'migrate': wait while replicas trail by more")
    .addOption(
      new Option(
        "--plan <file>",
        "run exactly the plan 'plan --out' wrote, or nothing if the database or scripts differ",
      ).conflicts(["sql", "dryRun"]),
    )
    .action(
      action(
        context,
        io,
        async (
          ctx,
          o: OfflineFlags & DryRun & BatchFlags & { plan?: string },
          target: string,
        ) => {
          if (o.plan) return await upgradeAsReviewed(ctx, o.plan, target, o);
          requireSqlForOutput(o);
          const { start, end } = splitRange(target);
          if (o.sql) {
            return await runOffline(ctx, o, start, (p, heads) => {
              const steps = planUpgrade(p.map, heads, end);
              // Data migrations loop until their check query says 0: only online.
              const skipped = dataMigrationsRetiredBy(p.map, heads, steps, p.dataMigrations);
              if (skipped.length > 0) refuseOffline(ctx, heads, skipped, end);
              return steps;
            });
          }
          if (start !== undefined) throw new UsageError("Range revision not allowed");
          if (o.dryRun) return await previewPlan(ctx, { direction: "up", target });
          // Phase order (expand, data migrations, contract) and legacy takeover: src/phases.
          return await runPhasedCommand(ctx, phaseRunOptions(ctx, o), (project) => ({
            verb: "upgrade",
            takeover: true,
            plan: (heads) =>
              splitUpgrade(
                project.map,
                heads,
                planUpgrade(project.map, heads, target),
                target,
                project.dataMigrations,
              ),
          }));
        },
      ),
    );

  program
    .command("downgrade")
    .description("revert to a previous revision")
    .argument("<revision>", "target: base, -N, label@base, an id ...; start:end with --sql")
    .option("--sql", "print the SQL script instead of running it (no database needed)")
    .option("-o, --output <file>", "with --sql: write the script to this file")
    .addOption(
      new Option("--dry-run", "list what would run, as `plan --down` does, and change nothing")
        .conflicts("sql"),
    )
    .action(action(context, io, async (ctx, o: OfflineFlags & DryRun, target: string) => {
      requireSqlForOutput(o);
      const { start, end } = splitRange(target);
      if (o.sql) {
        if (start === undefined) {
          throw new UsageError("downgrade with --sql requires <fromrev>:<torev>");
        }
        return await runOffline(ctx, o, start, (p, heads) => planDowngrade(p.map, heads, end));
      }
      if (start !== undefined) throw new UsageError("Range revision not allowed");
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
    .argument("<revisions...>", "one or more targets; with --sql each may be start:target")
    .option("--purge", "empty the version table first")
    .option("--sql", "print the SQL script instead of running it (no database needed)")
    .option("-o, --output <file>", "with --sql: write the script to this file")
    .action(
      action(context, io, async (ctx, o: { purge?: boolean } & OfflineFlags, targets: string[]) => {
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
            o,
            start,
            (p, heads) => planStamp(p.map, heads, dests, false),
          );
        }
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
      }),
    );

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
        const dialect = driver.dialect.name;
        const pendingSteps = () => {
          let plan;
          try {
            plan = planUpgrade(project.map, heads, "heads");
          } catch (e) {
            // `current` must answer even where no upgrade path exists; say so in --json.
            if (!(e instanceof BellowsError)) throw e;
            ctx.log.debug(`no upgrade plan to heads: ${e.message}`);
            return null;
          }
          // A statement error in a pending script is reported (exit 6), not taken for that.
          return previewSteps(project, plan, dialect);
        };
        let text: string;
        if (!verbose) {
          text = formatCurrent(project.map, heads);
        } else {
          // Alembic's `current -v` entries, each followed by when and where bellows applied it.
          const out = [`Current revision(s) for ${driver.display}:\n`];
          for (const rev of new TargetResolver(project.map).allCurrent(heads)) {
            let entry = formatHeadLine(project.map, rev, { verbose, command: "current" });
            const last = lastApplied(rev.id);
            if (last) {
              entry += `Applied: ${last.appliedAt} (${last.direction}, ${last.durationMs} ms) on ` +
                `${last.host} by bellows ${last.toolVersion}\n`;
            }
            out.push(`${entry}\n`);
          }
          text = out.join("");
        }
        const display = driver.display;
        return {
          text: escapeControls(text),
          // Without the database: withDriver has closed it when --json asks for these.
          data: async () => ({
            database: display,
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
            pending: pendingSteps(),
          }),
        };
        // Headers only: `current` runs nothing; --json's pending steps split theirs.
      }, { readOnly: true, lazyStatements: true });
    }));
}
