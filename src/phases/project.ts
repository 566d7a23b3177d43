/**
 * Loading a project for the command line: the runner's project (scripts, graph, data
 * migrations) with what the phases require of it checked up front.
 *
 * @module
 */
import type { SourceFile } from "../script/types.ts";
import type { ParseOptions } from "../script/parse.ts";
import {
  loadProject,
  loadProjectGraph,
  type Project,
  type ProjectGraph,
} from "../runner/project.ts";
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

/**
 * {@linkcode loadPhasedProject} for commands that only list revisions: the graph from the
 * scripts' headers ({@linkcode loadProjectGraph}; `files` is read one at a time), with the
 * same phase checks.
 */
export function loadPhasedGraph(source: string, files: Iterable<SourceFile>): ProjectGraph {
  const { headers, ...graph } = loadProjectGraph(source, files);
  validateDataMigrations(graph.map, graph.dataMigrations);
  legacyTable(headers); // two revisions claiming one legacy_version is a script error
  return graph;
}
