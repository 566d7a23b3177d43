/**
 * Reads pg_corpus.sql: real-world migration statements, each with the locks and work
 * PostgreSQL 15 documents for it (format in the file's header).
 *
 * @module
 */

/** One corpus entry. */
export interface CorpusEntry {
  readonly sql: string;
  /** 1-based line of the statement in pg_corpus.sql. */
  readonly line: number;
  /** `relation=MODE`, `index:` before an index. */
  readonly locks: readonly string[];
  readonly work: string;
  /** Operation kinds in order, when the entry says. */
  readonly ops?: readonly string[];
}

/** Parse pg_corpus.sql text. */
export function parseCorpus(text: string): CorpusEntry[] {
  const lines = text.split("\n");
  const out: CorpusEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^-- expect: (.*)$/.exec(lines[i]);
    if (!m) continue;
    const parts = new Map<string, string>();
    let locks: string[] = [];
    for (const p of m[1].split(";").map((s) => s.trim())) {
      if (/^(work|ops)=/.test(p)) parts.set(p.split("=")[0], p.slice(p.indexOf("=") + 1));
      else locks = p.split(",").map((s) => s.trim()).filter((s) => s !== "");
    }
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j].trim() !== ""; j++) body.push(lines[j]);
    const ops = parts.get("ops");
    out.push({
      sql: body.join("\n").replace(/;\s*$/, ""),
      line: i + 2,
      locks,
      work: parts.get("work") ?? "?",
      ...(ops ? { ops: ops.split(",") } : {}),
    });
    i = j;
  }
  return out;
}

/** The corpus, read from beside this module. */
export async function readCorpus(): Promise<CorpusEntry[]> {
  return parseCorpus(await Deno.readTextFile(new URL("./pg_corpus.sql", import.meta.url)));
}
