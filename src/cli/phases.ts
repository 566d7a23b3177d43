/**
 * Glance's zero-downtime command set: `expand`, `migrate`, `contract`, `sync`,
 * `check`, `version`, `version_control`.
 *
 * @module
 */
import type { Command } from "commander";
import { UsageError } from "../errors.ts";
import type { Project } from "../runner/project.ts";
import type { RunOptions } from "../runner/run.ts";
import { formatRevs } from "../runner/execution.ts";
import {
  type PhasedPlan,
  planContract,
  planExpand,
  planMigrate,
  planSync,
} from "../phases/phase.ts";
import { Progress } from "../phases/progress.ts";
import {
  checkPhases,
  type PhasedCommand,
  type PhasedReport,
  type PhaseRunOptions,
  readVersion,
  runPhased,
  versionControl,
} from "../phases/run.ts";
import type { LegacyVersion } from "../state/legacy.ts";
import type { Context } from "./context.ts";
import { runJson } from "./describe.ts";
import { action, type CommandResult, type Io } from "./output.ts";

/** Rows per data migration batch unless `--batch-size` says otherwise. */
export const DEFAULT_BATCH_SIZE = 1000;

/** The `--batch-size` option's value, checked. */
export function parseBatchSize(text: string | undefined): number {
  if (text === undefined) return DEFAULT_BATCH_SIZE;
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--batch-size: '${text}' is not a positive whole number`);
  }
  return Number(text);
}

/** Options of a phased run from the global flags, `--batch-size` and overrides. */
export function phaseRunOptions(
  ctx: Context,
  batchSize: string | undefined,
  extra: Partial<RunOptions> = {},
): PhaseRunOptions {
  const run = ctx.runOptions(extra);
  const encoder = new TextEncoder();
  return {
    run,
    batchSize: parseBatchSize(batchSize),
    progress: new Progress({
      // A line redrawn in place only for a person watching; logs get plain lines.
      terminal: Deno.stderr.isTerminal() && !ctx.opts.quiet,
      write: (text) => Deno.stderr.writeSync(encoder.encode(text)),
      log: (line) => run.log.info(line),
    }),
  };
}

/** Log what a phased run did, and describe it for `--json`. */
export async function phasedResult(
  ctx: Context,
  database: string,
  report: PhasedReport,
  verb: string,
): Promise<CommandResult> {
  const migrations = report.steps.filter((s) => s.kind === "migrate");
  const ms = report.steps.reduce((a, s) => a + s.durationMs, 0);
  const at = formatRevs(report.after);
  if (migrations.length === 0 && report.moved === 0 && !report.takeover) {
    ctx.log.info(`Nothing to ${verb}: the database is at ${at}`);
  } else if (migrations.length === 0 && !report.takeover) {
    ctx.log.info(`Done: ${report.moved} row(s) migrated; the database is at ${at}`);
  } else {
    ctx.log.info(
      `Done: ${formatRevs(report.before)} -> ${at} (${migrations.length} ` +
        `revision${migrations.length === 1 ? "" : "s"} in ${ms} ms` +
        (report.moved > 0 ? `, ${report.moved} row(s) migrated` : "") + ")",
    );
  }
  const t = report.takeover;
  return {
    data: {
      ...runJson(database, await ctx.source(), report),
      dataMigrations: report.dataMigrations,
      takeover: t
        ? { repositoryId: t.legacy.repositoryId, version: t.legacy.version, revision: t.revision }
        : null,
    },
  };
}

/** Run a phased command, log what it did and describe it for `--json`. */
export async function runPhasedCommand(
  ctx: Context,
  opts: PhaseRunOptions,
  command: (project: Project) => PhasedCommand,
): Promise<CommandResult> {
  return await ctx.withDriver(async (driver, project) => {
    const cmd = command(project);
    const report = await runPhased(driver, project, ctx.state, opts, cmd);
    return await phasedResult(ctx, driver.display, report, cmd.verb);
  });
}

/** `check`'s last line, and its `status` field, per exit code. */
const NEXT: Record<0 | 3 | 4 | 5, [string, string]> = {
  0: ["up to date", "Database is up to date."],
  3: ["expand", "Database is not up to date: run 'bellows expand' first."],
  4: ["migrate", "Database is not up to date: run 'bellows migrate' next."],
  5: ["contract", "Database is not up to date: run 'bellows contract' once no old service runs."],
};

/** Register the phase commands on `program`. */
export function registerPhaseCommands(
  program: Command,
  context: (cmd: Command) => Context,
  io: Io,
): void {
  const batchOption = [
    "--batch-size <rows>",
    `rows per data migration transaction (default ${DEFAULT_BATCH_SIZE})`,
  ] as const;

  /** A phased command's action: the plan it makes from the version rows. */
  const phased = (
    verb: string,
    takeover: boolean,
    plan: (project: Project, heads: readonly string[]) => PhasedPlan,
    extra: Partial<RunOptions> = {},
  ) =>
    action(
      context,
      io,
      async (ctx, o: { batchSize?: string }) =>
        await runPhasedCommand(ctx, phaseRunOptions(ctx, o.batchSize, extra), (project) => ({
          verb,
          takeover,
          plan: (heads) => plan(project, heads),
        })),
    );

  program
    .command("expand")
    .description("apply the expand revisions (additive; old services keep running)")
    .action(phased("expand", true, (p, heads) => ({
      expand: planExpand(p.map, heads),
      migrate: false,
      contract: [],
    })));

  program
    .command("migrate")
    .description("run the pending data migrations, in batches (after expand)")
    .option(...batchOption)
    .action(phased("migrate", false, (p, heads) => planMigrate(p.map, heads)));

  program
    .command("contract")
    .description("apply the contract revisions (destructive; only once no old service runs)")
    .action(phased("contract", false, (p, heads) => ({
      expand: [],
      migrate: false,
      contract: planContract(p.map, heads),
    })));

  program
    .command("sync")
    .description("expand, migrate and contract in one go, without rolling sections (offline)")
    .option(...batchOption)
    .action(phased("sync", true, (p, heads) => planSync(p.map, heads), { skipRolling: true }));

  program
    .command("check")
    .description("report pending phases; exit 0 up to date, 3 expand, 4 migrate, 5 contract")
    .action(action(context, io, async (ctx) => {
      // A gate that passes on an empty folder (a wrong --migrations) would wave a deploy by.
      await ctx.revisions();
      return await ctx.withDriver(async (driver, project) => {
        const r = await checkPhases(driver, project, ctx.state, ctx.runOptions());
        const [status, next] = NEXT[r.code];
        return {
          text: [...r.lines, next].join("\n"),
          exitCode: r.code,
          data: {
            database: driver.display,
            source: await ctx.source(),
            current: r.current,
            status,
            expand: r.status.expandPending,
            migrate: [
              ...r.status.active.map((name) => ({
                name,
                state: "active",
                rows: r.pendingRows.get(name) ?? 0,
              })),
              ...r.status.waiting.map((name) => ({ name, state: "waiting", rows: null })),
            ],
            contract: r.status.contractPending,
            legacy: legacyJson(r.takeover?.legacy, r.takeover?.revision),
          },
        };
      }, { readOnly: true });
    }));

  program
    .command("version")
    .description("print the database's current revision(s), one per line")
    .action(action(context, io, async (ctx) =>
      await ctx.withDriver(async (driver, project) => {
        const v = await readVersion(driver, project, ctx.state, ctx.log);
        let text = v.heads.join("\n");
        if (v.heads.length === 0 && v.legacy) {
          const rev = v.legacyRevision ? ` (revision ${v.legacyRevision})` : "";
          text = `The database is under SQLAlchemy-Migrate control at version ` +
            `${v.legacy.version}${rev}; run 'bellows sync', 'expand' or 'upgrade' to place it ` +
            `under Alembic's version table.`;
        } else if (v.heads.length === 0) {
          text = "The database is not under version control.";
        }
        return {
          text,
          data: {
            database: driver.display,
            current: v.heads,
            legacy: legacyJson(v.legacy, v.legacyRevision),
          },
        };
      }, { readOnly: true })));

  program
    .command("version_control")
    .description("place an unversioned database under version control without running scripts")
    .argument(
      "[revision]",
      "revision it is at (default: what migrate_version maps to, else the base)",
    )
    .action(
      action(
        context,
        io,
        async (ctx, _o, target: string | undefined) =>
          await ctx.withDriver(async (driver, project) => {
            const report = await versionControl(
              driver,
              project,
              ctx.state,
              ctx.runOptions(),
              target,
            );
            return {
              text: `Placed database under version control at revision: ${
                formatRevs(report.after)
              }`,
              data: runJson(driver.display, await ctx.source(), report),
            };
          }),
      ),
    );
}

/** What migrate_version says, for `--json`; null when there is nothing (or no need) to say. */
function legacyJson(legacy: LegacyVersion | undefined, revision: string | undefined) {
  return legacy
    ? { repositoryId: legacy.repositoryId, version: legacy.version, revision: revision ?? null }
    : null;
}
