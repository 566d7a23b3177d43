/**
 * Loading a project for the command line: the runner's project (scripts, graph, data
 * migrations) with what the phases require of it checked up front.
 *
 * @module
 */
import type { SourceFile } from "../script/types.ts";
import type { ParseOptions } from "../script/parse.ts";
import { loadProject, type Project } from "../runner/project.ts";
import { validateDataMigrations } from "./phase.ts";
import { legacyTable } from "./legacy.ts";

/**
 * {@linkcode loadProject}, then the phase checks: every data migration follows an
 * expand revision, and no two revisions claim one legacy version. Throws ScriptError /
 * RevisionError / PhaseError on bad input.
 */
export function loadPhasedProject(
  source: string,
  files: readonly SourceFile[],
  opts: ParseOptions = {},
): Project {
  const project = loadProject(source, files, opts);
  validateDataMigrations(project.map, project.dataMigrations);
  legacyTable(project.scripts.values()); // two revisions claiming one legacy_version is a script error
  return project;
}
