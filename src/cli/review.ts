/**
 * Commands for reviewing before anything runs: `plan` (also behind `upgrade --dry-run`
 * and `downgrade --dry-run`) and `graph`. They read the version table at most, through
 * a read-only connection, and never take the migration lock.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { DIALECT_NAMES, dialectForUrl, parseDialectName } from "../drivers/mod.ts";
import type { DialectName, Driver } from "../drivers/types.ts";
import {
  formatHolder,
  lockedTables,
  redefinedTables,
  refineLockView,
  type TableSize,
} from "../analysis/mod.ts";
import { lintErrors, warnFindings } from "../phases/lint.ts";
import { lockHoldersNow } from "../runner/preflight.ts";
import { UsageError } from "../errors.ts";
import { DIAGRAM_FORMATS, type DiagramFormat, phaseOf, renderGraph } from "../phases/diagram.ts";
import { applySteps } from "../graph/heads.ts";
import { planDowngrade, planUpgrade } from "../graph/plan.ts";
import { offlineStartHeads, resolveRevision } from "../graph/targets.ts";
import type { Project } from "../runner/project.ts";
import { formatPlan, previewLocks, previewSteps, statementLockJson } from "../runner/preview.ts";
import { formatRevs } from "../runner/execution.ts";
import { inspectState, type StateCheck, stepStatements } from "../runner/run.ts";
import { type Context, getEnv } from "./context.ts";
import { revisionJson } from "./describe.ts";
import { escapeControls } from "../log.ts";
import { action, type CommandResult, type Io } from "./output.ts";
import type { PlanView } from "../runner/reviewed_plan.ts";
import { writePlanFile } from "./plan_file.ts";

/**
 * The database's version rows, read through a read-only connection, and its display name.
 * They are checked as `upgrade` checks them (`check`, {@linkcode inspectState}): a plan
 * shows the refusal `upgrade` would give, such as for an interrupted revision.
 */
export async function readVersionRows(
  ctx: Context,
  project: Project,
  check: StateCheck = "run",
): Promise<{ heads: string[]; database: string; dialect: DialectName }> {
  // Read-only: a missing SQLite file reads as an empty database and is not created.
  const driver = await ctx.driver({ readOnly: true });
  try {
    return await versionRowsOf(driver, ctx, project, check);
  } finally {
    await driver.close();
  }
}

/** {@linkcode readVersionRows} on an open driver. */
async function versionRowsOf(
  driver: Driver,
  ctx: Context,
  project: Project,
  check: StateCheck = "run",
): Promise<{ heads: string[]; database: string; dialect: DialectName }> {
  const heads = await inspectState(driver, project, ctx.state, ctx.runOptions(), check);
  return { heads, database: driver.display, dialect: driver.dialect.name };
}

/** How a plan is asked for. */
export interface PlanRequest {
  readonly direction: "up" | "down";
  /** Target, or Alembic's offline `start:end`. */
  readonly target: string;
  /** `--from`: version rows to start from (comma-separated; `base` = none); no database. */
  readonly from?: string;
  /** `--dialect`, for a plan without a database URL. */
  readonly dialect?: string;
}

function parseDialect(text: string): DialectName {
  const name = parseDialectName(text);
  if (name) return name;
  throw new UsageError(`--dialect: '${text}' is not one of ${DIALECT_NAMES.join(", ")}`);
}

/**
 * What `plan` / `--dry-run` prints: the steps in order with their checksums, what each
 * statement locks, and the lint errors of the revisions to upgrade. Reads the version
 * table unless the start is given (`--from`, or `start:end`); with the database open, it
 * also reads the sizes of the tables locked and who stands in the way of strong locks now.
 */
export async function previewPlan(ctx: Context, req: PlanRequest): Promise<CommandResult> {
  const project = await ctx.revisions();
  // Read-only: a missing SQLite file reads as an empty database and is not created.
  const driver = req.from === undefined && !req.target.includes(":")
    ? await ctx.driver({ readOnly: true })
    : undefined;
  try {
    return await previewWith(ctx, req, project, driver);
  } finally {
    await driver?.close();
  }
}

async function previewWith(
  ctx: Context,
  req: PlanRequest,
  project: Project,
  driver: Driver | undefined,
): Promise<CommandResult> {
  const map = project.map;
  let target = req.target;
  let start: string[] | undefined;
  if (target.includes(":")) {
    const [s, e] = target.split(":", 2);
    if (req.from !== undefined) {
      throw new UsageError("give the start either as --from or as start:");
    }
    start = offlineStartHeads(map, s || undefined);
    target = e || (req.direction === "up" ? "heads" : "base");
  } else if (req.from !== undefined) {
    start = req.from.split(",").map((r) => r.trim()).filter((r) => r !== "" && r !== "base")
      .map((r) => resolveRevision(map, r)?.id).filter((r): r is string => r !== undefined);
  }
  let heads: string[];
  let database: string | null = null;
  let dialect: DialectName;
  if (start !== undefined) {
    heads = start;
    const url = ctx.opts.url ?? getEnv("DATABASE_URL");
    if (req.dialect) dialect = parseDialect(req.dialect);
    else if (url) dialect = dialectForUrl(url).name;
    else {
      throw new UsageError(
        `a plan without a database needs --dialect ${
          DIALECT_NAMES.join("|")
        } (or --url) to pick each script's statements`,
      );
    }
  } else {
    ({ heads, database, dialect } = await versionRowsOf(driver!, ctx, project));
    if (req.dialect && parseDialect(req.dialect) !== dialect) {
      throw new UsageError(`--dialect ${req.dialect} does not match the database (${dialect})`);
    }
  }
  const steps = req.direction === "up"
    ? planUpgrade(map, heads, target)
    : planDowngrade(map, heads, target);
  // Refuse what the runner would refuse, before anyone reviews it.
  const after = applySteps(map, heads, steps).heads;
  const planned = previewSteps(project, steps, dialect);
  let locks = await previewLocks(project, steps, dialect);
  // MySQL: what a MODIFY COLUMN does depends on the column's current type.
  const redefined = locks ? redefinedTables(locks) : [];
  if (locks && driver?.columnsOf && redefined.length > 0) {
    locks = refineLockView(locks, await driver.columnsOf(redefined));
  }
  const sizes = driver?.tableSizes && locks
    ? await driver.tableSizes(lockedTables(locks))
    : new Map<string, TableSize>();
  const statements = steps.flatMap((s) => stepStatements(project, s, dialect, false).statements);
  const holders = driver ? await lockHoldersNow(driver, statements, ctx.lockTimeoutMs()) : [];
  const findings = await lintErrors(
    project,
    steps.filter((s) => s.direction === "up").map((s) => s.revision),
    dialect,
  );
  warnFindings(findings, ctx.log);
  const verb = req.direction === "up" ? "upgrade" : "downgrade";
  let text = "";
  if (planned.length === 0) {
    ctx.log.info(`Nothing to ${verb}: ${database ?? "the start"} is at ${formatRevs(heads)}`);
  } else {
    text = `Plan for ${database ?? "(no database)"} (${dialect}): ${formatRevs(heads)} -> ` +
      `${formatRevs(after)}, ${planned.length} step${planned.length === 1 ? "" : "s"}\n` +
      formatPlan(planned, locks, sizes, driver?.ddlCluster);
    if (holders.length > 0) {
      text += `In the way of a strong lock now (an upgrade would wait for them, up to ` +
        `--lock-wait):\n${holders.map((h) => `  ${formatHolder(h)}\n`).join("")}`;
    }
  }
  return {
    text: escapeControls(text),
    data: {
      database,
      dialect,
      source: await ctx.source(),
      direction: req.direction,
      target,
      from: heads,
      to: after,
      steps: planned.map((p, i) => ({
        ...p,
        locks: locks
          ? locks[i].statements.map((st) => statementLockJson(st, sizes, driver?.ddlCluster))
          : null,
      })),
      tables: [...sizes].map(([name, z]) => ({ name, ...z })),
      cluster: driver?.ddlCluster ?? null,
      blockers: driver?.lockInspector ? holders : null,
      lint: findings,
    },
  };
}

/** Register `plan` and `graph` on `program`. */
export function registerReviewCommands(
  program: Command,
  context: (cmd: Command) => Context,
  io: Io,
): void {
  program
    .command("plan")
    .description(
      "list the steps an upgrade would run, in order, with each step's checksum (no changes)",
    )
    .argument("[revision]", "target, or start:end to plan without a database", "heads")
    .option("--from <revisions>", "start from these version rows instead of the database's")
    .option("--down", "plan a downgrade to the target instead")
    .addOption(
      new Option("--dialect <name>", "statements of this dialect (without a database)")
        .choices([...DIALECT_NAMES]),
    )
    .option("--out <file>", "also write the plan as JSON, for 'upgrade --plan <file>'")
    .action(action(
      context,
      io,
      async (
        ctx,
        o: { from?: string; down?: boolean; dialect?: string; out?: string },
        target: string,
      ) => {
        const result = await previewPlan(ctx, {
          direction: o.down ? "down" : "up",
          target,
          from: o.from,
          dialect: o.dialect,
        });
        if (o.out) await writePlanFile(ctx, o.out, result.data as unknown as PlanView);
        return result;
      },
    ));

  program
    .command("graph")
    .description("print the revision graph as Graphviz DOT or Mermaid (current marked with --url)")
    .addOption(
      new Option("--format <format>", "output format").choices(DIAGRAM_FORMATS).default("dot"),
    )
    .action(action(context, io, async (ctx, o: { format: DiagramFormat }) => {
      const project = await ctx.project();
      // Only an explicit --url marks the current revisions: the picture needs no database.
      const current = ctx.opts.url
        ? (await readVersionRows(ctx, project, "stamp")).heads
        : undefined;
      const text = renderGraph(project.map, o.format, { current });
      return {
        text: escapeControls(text),
        data: {
          format: o.format,
          source: await ctx.source(),
          current: current ?? null,
          heads: project.map.heads,
          revisions: project.map.all().map((r) => ({
            ...revisionJson(r),
            phase: phaseOf(r) ?? null,
            current: current?.includes(r.id) ?? false,
          })),
          graph: text,
        },
      };
    }));
}
