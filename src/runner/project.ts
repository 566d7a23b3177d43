/**
 * A loaded set of revision scripts and data migrations together with their revision graph.
 *
 * @module
 */
import { RevisionMap } from "../graph/revision_map.ts";
import type { RevisionHeader, RevisionScript, SourceFile } from "../script/types.ts";
import type { ParseOptions } from "../script/parse.ts";
import { loadHeaders, loadScripts } from "../script/load.ts";
import { type DataMigration, loadDataMigrations } from "../script/data_migration.ts";

/** The graph of one migrations source's revisions, without their SQL. */
export interface ProjectGraph {
  /** Where the scripts came from, for display: a directory, or `bundled`. */
  readonly source: string;
  readonly map: RevisionMap;
  /** Data migrations in name order, each following an expand revision of `map`. */
  readonly dataMigrations: readonly DataMigration[];
}

/** The scripts of one migrations source, and the graph they form. */
export interface Project extends ProjectGraph {
  readonly scripts: ReadonlyMap<string, RevisionScript>;
}

/**
 * Parse the files and build the graph; throws ScriptError / RevisionError on bad input.
 * What the phases require of a project (data migrations after expand revisions, one
 * revision per legacy version) is checked by phases/project.ts, which the command line
 * loads projects with. With `lazyStatements`, statement errors wait until a command
 * reads the statements.
 */
export function loadProject(
  source: string,
  files: readonly SourceFile[],
  opts: ParseOptions = {},
): Project {
  const scripts = loadScripts([...files], opts);
  const map = new RevisionMap(scripts);
  const dataMigrations = loadDataMigrations(files);
  return { source, map, scripts: new Map(scripts.map((s) => [s.id, s])), dataMigrations };
}

/**
 * {@linkcode loadProject} for commands that only list revisions: the scripts' headers
 * only ({@linkcode loadHeaders}; the same checks as with `lazyStatements`), so no script
 * text or SQL stays in memory. `files` is read one file at a time. The headers are
 * handed back beside the graph for checks of their own; a caller that keeps only the
 * graph lets them go.
 */
export function loadProjectGraph(
  source: string,
  files: Iterable<SourceFile>,
): ProjectGraph & { readonly headers: readonly RevisionHeader[] } {
  const { headers, dataMigrationFiles } = loadHeaders(files);
  const map = new RevisionMap(headers);
  const dataMigrations = loadDataMigrations(dataMigrationFiles);
  return { source, map, dataMigrations, headers };
}
