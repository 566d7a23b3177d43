/**
 * A loaded set of revision scripts together with their revision graph.
 *
 * @module
 */
import { RevisionMap } from "../graph/revision_map.ts";
import type { RevisionScript, SourceFile } from "../script/types.ts";
import { loadScripts } from "../script/load.ts";

/** The scripts of one migrations source, and the graph they form. */
export interface Project {
  /** Where the scripts came from, for display: a directory, or `bundled`. */
  readonly source: string;
  readonly map: RevisionMap;
  readonly scripts: ReadonlyMap<string, RevisionScript>;
}

/** Parse the files and build the graph; throws ScriptError / RevisionError on bad input. */
export function loadProject(source: string, files: readonly SourceFile[]): Project {
  const scripts = loadScripts([...files]);
  const map = new RevisionMap(scripts);
  return { source, map, scripts: new Map(scripts.map((s) => [s.id, s])) };
}
