/**
 * Helpers shared by the script modules. Internal: not re-exported by `mod.ts`.
 *
 * @module
 */
import { ScriptError } from "../errors.ts";

/** Throw a {@linkcode ScriptError} whose message starts with `file:line:`. */
export function fail(file: string, line: number, message: string): never {
  throw new ScriptError(`${file}:${line}: ${message}`);
}

/** 1-based line of a UTF-16 offset in `text`, counted from `firstLine`. */
export function lineAt(text: string, offset: number, firstLine = 1): number {
  let line = firstLine;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/**
 * A ` (did you mean "x"?)` hint when `word` is close to one of `candidates`,
 * else "". Typos in keys and markers are the usual mistake, so name the fix.
 */
export function suggest(word: string, candidates: readonly string[]): string {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(lower, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return best !== undefined && bestDistance <= limit ? ` (did you mean "${best}"?)` : "";
}

/** Levenshtein distance, with a transposition counted as one edit ("upgrdae"). */
function distance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
