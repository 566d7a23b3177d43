/**
 * Commands that read the scripts only (and, for `history -i`, the current heads):
 * `history`, `heads`, `branches`, `show`.
 *
 * @module
 */
import type { Command } from "commander";
import { formatBranches, formatHeads, formatHistory, formatShow } from "../graph/format.ts";
import { inspectState } from "../runner/run.ts";
import { readAudit } from "../state/version_table.ts";
import type { Context } from "./context.ts";
import type { Io } from "./mod.ts";

/** Print a formatter's whole output (which ends in a newline) as Alembic does. */
export function print(io: Io, text: string): void {
  if (text.length > 0) io.out(text.replace(/\n$/, ""));
}

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
    .action(
      async (
        o: { revRange?: string; indicateCurrent?: boolean; verbose?: boolean; audit?: boolean },
        cmd: Command,
      ) => {
        const ctx = context(cmd);
        const verbose = o.verbose ?? ctx.opts.verbose ?? false;
        const project = await ctx.project();
        if (o.audit) {
          await ctx.withDriver(async (driver) => {
            for (const a of await readAudit(driver, ctx.state)) {
              io.out(
                `${a.appliedAt} ${a.direction.padEnd(5)} ${a.revision} ${a.status} ` +
                  `${a.durationMs} ms ${a.checksum?.slice(0, 12) ?? "-"} ${a.host} ` +
                  `bellows ${a.toolVersion}`,
              );
            }
          });
          return;
        }
        let current: string[] | undefined;
        if (o.indicateCurrent || (o.revRange ?? "").includes("current")) {
          current = await ctx.withDriver((driver) =>
            inspectState(driver, project, ctx.state, ctx.runOptions())
          );
        }
        print(
          io,
          formatHistory(project.map, {
            range: o.revRange,
            verbose,
            currentHeads: current,
            indicateCurrent: o.indicateCurrent ?? false,
          }),
        );
      },
    );

  program
    .command("heads")
    .description("show the current heads of the scripts")
    .option("-v, --verbose", "show details")
    .option("--resolve-dependencies", "treat dependency versions as down revisions")
    .action(async (o: { verbose?: boolean; resolveDependencies?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const project = await ctx.project();
      const verbose = o.verbose ?? ctx.opts.verbose ?? false;
      print(
        io,
        formatHeads(project.map, { verbose, resolveDependencies: o.resolveDependencies }),
      );
    });

  program
    .command("branches")
    .description("show branch points")
    .option("-v, --verbose", "show details")
    .action(async (o: { verbose?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const project = await ctx.project();
      const verbose = o.verbose ?? ctx.opts.verbose ?? false;
      print(io, formatBranches(project.map, { verbose }));
    });

  program
    .command("show")
    .description("show one revision")
    .argument("<revision>", "an id, partial id, head, label@head ...")
    .action(async (target: string, _o, cmd: Command) => {
      const ctx = context(cmd);
      const project = await ctx.project();
      print(io, formatShow(project.map, target));
    });
}
