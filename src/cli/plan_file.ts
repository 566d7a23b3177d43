/**
 * The reviewed plan file: `plan --out FILE` writes it, `upgrade --plan FILE` runs it
 * only if the database's version rows and every step's statements are still what was
 * reviewed (the comparison is src/runner/reviewed_plan.ts).
 *
 * @module
 */
import { dialectForUrl } from "../drivers/mod.ts";
import { StateError, UsageError } from "../errors.ts";
import { planUpgrade } from "../graph/plan.ts";
import type { MigrateStep } from "../graph/types.ts";
import { isPermissionError, missingPermission } from "../permissions.ts";
import { splitUpgrade } from "../phases/phase.ts";
import { runPhased } from "../phases/run.ts";
import { previewSteps } from "../runner/preview.ts";
import {
  parseReviewedPlan,
  planDifferences,
  PlanFileError,
  type PlanView,
  type ReviewedPlan,
  reviewedPlan,
} from "../runner/reviewed_plan.ts";
import { VERSION } from "../version.ts";
import type { Context } from "./context.ts";
import type { CommandResult } from "./output.ts";
import { type BatchFlags, phasedResult, phaseRunOptions } from "./phases.ts";

/** Why a file could not be read or written, as the error for it. */
function fileError(e: unknown, action: string, file: string, flag: string): Error {
  if (isPermissionError(e)) return missingPermission(`${action} ${file}`, `${flag}=${file}`);
  const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
  return new UsageError(`cannot ${action === "reading" ? "read" : "write"} ${file}: ${msg}`);
}

/** `plan --out FILE`: write what `plan` computed (its `--json` fields) as a plan file. */
export async function writePlanFile(ctx: Context, file: string, view: PlanView): Promise<void> {
  const plan = reviewedPlan(view, VERSION, new Date());
  try {
    await Deno.writeTextFile(file, JSON.stringify(plan, null, 2) + "\n");
  } catch (e) {
    throw fileError(e, "writing", file, "--allow-write");
  }
  ctx.log.info(
    `Wrote the plan to ${file} (${plan.steps.length} step${
      plan.steps.length === 1 ? "" : "s"
    }); 'bellows upgrade --plan ${file}' runs exactly these steps, or nothing`,
  );
}

/** Read and check a plan file (exit 2 when it cannot be read or is not one). */
export async function readPlanFile(file: string): Promise<ReviewedPlan> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw fileError(e, "reading", file, "--allow-read");
  }
  try {
    return parseReviewedPlan(text);
  } catch (e) {
    if (e instanceof PlanFileError) throw new UsageError(`--plan ${file}: ${e.message}`);
    throw e;
  }
}

/**
 * `upgrade --plan FILE`: under the migration lock, plan again from the version rows and
 * compare with the file before anything is written; refuse with every difference
 * (exit 9), or run that plan, which is then exactly the reviewed one.
 */
export async function upgradeAsReviewed(
  ctx: Context,
  file: string,
  target: string,
  flags: BatchFlags,
): Promise<CommandResult> {
  const reviewed = await readPlanFile(file);
  if (reviewed.direction !== "up") {
    throw new UsageError(`--plan ${file} is a downgrade plan; 'upgrade --plan' runs upgrades`);
  }
  if (target !== "heads" && target !== reviewed.target) {
    throw new UsageError(
      `--plan ${file} was made for target '${reviewed.target}': leave the revision out`,
    );
  }
  if (reviewed.bellows !== VERSION) {
    ctx.log.warn(
      `${file} was made by bellows ${reviewed.bellows}, this is ${VERSION}; the checksums ` +
        `still decide`,
    );
  }
  const project = await ctx.revisions();
  const dialect = dialectForUrl(ctx.url).name;
  // Checksums of the reviewed steps' scripts as they are now: computed before the lock,
  // since the plan below is made (synchronously) under it.
  const known = reviewed.steps.filter((s) => project.map.has(s.revision));
  const now = previewSteps(
    project,
    known.map((s): MigrateStep => ({
      kind: "migrate",
      direction: s.direction,
      revision: s.revision,
      from: s.from,
      to: s.to,
    })),
    dialect,
  );
  const sums = new Map(now.map((s) => [`${s.direction} ${s.revision}`, s.checksum]));
  const opts = phaseRunOptions(ctx, flags);
  return await ctx.withDriver(async (driver) => {
    const report = await runPhased(driver, project, ctx.state, opts, {
      verb: "upgrade",
      takeover: false,
      plan: (heads) => {
        const steps = planUpgrade(project.map, heads, reviewed.target);
        const differences = planDifferences(reviewed, {
          database: driver.display,
          dialect: driver.dialect.name,
          from: heads,
          steps: steps.map((s) => ({ ...s, checksum: sums.get(`${s.direction} ${s.revision}`) })),
        });
        if (differences.length > 0) {
          throw new StateError(
            `the database or the scripts are not what ${file} reviewed, so nothing was run: ${
              differences.join("; ")
            }`,
          );
        }
        return splitUpgrade(project.map, heads, steps, reviewed.target, project.dataMigrations);
      },
    });
    return await phasedResult(ctx, driver.display, report, "upgrade");
  });
}
