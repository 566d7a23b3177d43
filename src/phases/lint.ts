/**
 * Lint during `plan` and `upgrade`: the error-level findings of `bellows lint` on the
 * revisions about to run, one warning line each (`file:line:col rule-id ...`), so that
 * whoever runs an upgrade sees what `lint` would refuse in CI. A warning only: it never
 * changes what runs or the exit code.
 *
 * @module
 */
import {
  analysesDialect,
  type Finding,
  formatFinding,
  type LintTarget,
  lintTargets,
} from "../analysis/mod.ts";
import type { DialectName } from "../drivers/types.ts";
import type { Logger } from "../log.ts";
import type { Project } from "../runner/project.ts";
import { phaseOf } from "./phase.ts";

/**
 * Every revision of `project` with its phase, in upgrade order (ancestors first, then
 * by file), as lint reads them: what one establishes counts for those after it.
 */
export function lintTargetsOf(project: Pick<Project, "map" | "scripts">): LintTarget[] {
  const depths = project.map.ancestorCounts();
  return [...project.scripts.values()]
    .map((script) => ({
      script,
      phase: phaseOf(project.map, script.id),
      depth: depths.get(script.id) ?? 0,
    }))
    .sort((a, b) => a.depth - b.depth || a.script.file.localeCompare(b.script.file))
    .map(({ script, phase }) => ({ script, phase }));
}

/**
 * The error-level findings on the upgrade of `revisions` for `dialect` (none for a
 * database lint does not analyse). `skipInert` (for `upgrade`): do not parse revisions
 * in which only a syntax error could be found (see {@linkcode lintTargets}).
 */
export async function lintErrors(
  project: Pick<Project, "map" | "scripts">,
  revisions: readonly string[],
  dialect: DialectName,
  opts: { readonly skipInert?: boolean } = {},
): Promise<Finding[]> {
  if (revisions.length === 0 || !analysesDialect(dialect)) return [];
  const wanted = new Set(revisions);
  const findings = await lintTargets(
    lintTargetsOf(project),
    dialect,
    (id) => wanted.has(id),
    opts,
  );
  return findings.filter((f) => f.severity === "error");
}

/** Log `findings` as warnings, one line each, and a pointer to `bellows lint`. */
export function warnFindings(findings: readonly Finding[], log: Logger): void {
  for (const f of findings) log.warn(formatFinding(f));
  if (findings.length > 0) {
    log.warn(
      `${findings.length} lint error(s) in the revisions about to run ('bellows lint' ` +
        `explains each; docs/lint.md)`,
    );
  }
}
