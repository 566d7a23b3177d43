/**
 * `bellows lint [revisions...]`: the phase-aware lint rules of src/analysis/lint.ts over
 * the upgrade statements of revision scripts, without a database. One line per finding,
 * `file:line:col rule-id severity: message (fix: ...)`, as editors and CI annotate; exit
 * 1 when any finding is an error (docs/automation.md "Exit codes", docs/lint.md).
 *
 * @module
 */
import type { Command } from "commander";
import { Option } from "commander";
import { analysesDialect, formatFinding, lintTargets, RULES } from "../analysis/mod.ts";
import {
  DIALECT_NAMES,
  dialectForUrl,
  dialectNamed,
  listOr,
  SECTION_NAMES,
} from "../drivers/mod.ts";
import type { DialectName } from "../drivers/types.ts";
import { ExitCode, UsageError } from "../errors.ts";
import { resolveRevisions } from "../graph/targets.ts";
import { lintTargetsOf } from "../phases/lint.ts";
import type { Context } from "./context.ts";
import { action, type Io } from "./output.ts";

/** `--dialect` (a name or alias, as on section markers), else that of `--url`, else the first registered (PostgreSQL). */
function chooseDialect(ctx: Context, given: string | undefined): DialectName {
  if (given !== undefined) {
    const d = SECTION_NAMES.get(given.toLowerCase());
    if (!d) throw new UsageError(`--dialect: '${given}' is not ${listOr(DIALECT_NAMES)}`);
    return d;
  }
  return ctx.opts.url ? dialectForUrl(ctx.opts.url).name : DIALECT_NAMES[0];
}

/** Register `lint` on `program`. */
export function registerLintCommand(
  program: Command,
  context: (cmd: Command) => Context,
  io: Io,
): void {
  program
    .command("lint")
    .description(
      "check revision scripts for changes that are unsafe while services run " +
        "(exit 1 on an error-level finding)",
    )
    .argument("[revisions...]", "revisions to check (ids, labels, heads...; default: all)")
    .addOption(
      new Option(
        "--dialect <name>",
        "database to check for: postgresql, sqlite or mysql " +
          "(default: that of --url, else postgresql)",
      ),
    )
    .option("--rules", "list the rules instead")
    .action(action(
      context,
      io,
      async (ctx, o: { dialect?: string; rules?: boolean }, revisions: string[]) => {
        if (o.rules) {
          return {
            text: RULES.map((r) => `${r.id}: ${r.reason} (fix: ${r.fix})`).join("\n"),
            data: {
              rules: RULES.map((r) => ({
                id: r.id,
                dialects: r.dialects,
                reason: r.reason,
                fix: r.fix,
                severity: {
                  expand: r.severity("expand"),
                  contract: r.severity("contract"),
                  none: r.severity(undefined),
                },
              })),
            },
          };
        }
        const dialect = chooseDialect(ctx, o.dialect);
        if (!analysesDialect(dialect)) {
          // Better no answer than a clean report from rules written for another database.
          throw new UsageError(
            `bellows lint has no rules for ${dialectNamed(dialect).title} yet: nothing was checked`,
          );
        }
        const project = await ctx.project();
        // Every revision is read in upgrade order (what one establishes counts for those
        // after it: a CHECK validated earlier proves a column for SET NOT NULL); findings
        // are reported for the revisions asked for.
        const wanted = revisions.length === 0 ? undefined : new Set(
          revisions.flatMap((r) => resolveRevisions(project.map, r).map((x) => x.id)),
        );
        const targets = lintTargetsOf(project);
        const findings = await lintTargets(targets, dialect, (id) => wanted?.has(id) ?? true);
        const checked = wanted?.size ?? targets.length;
        const errors = findings.filter((f) => f.severity === "error").length;
        const warnings = findings.length - errors;
        ctx.log.info(
          `lint (${dialect}): ${checked} revision(s), ${errors} error(s), ` +
            `${warnings} warning(s)`,
        );
        return {
          text: findings.map(formatFinding).join("\n"),
          data: { dialect, revisions: checked, errors, warnings, findings },
          ...(errors > 0 ? { exitCode: ExitCode.LINT_ERRORS } : {}),
        };
      },
    ));
}
