/**
 * Reading an Alembic revision file without running Python: a tokenizer for Python's
 * lexical rules (strings with every prefix and quote form, comments, brackets, line
 * continuation, indentation) and a reader for what a revision declares at module level:
 * the docstring, `name = literal` assignments (annotated or not), imports, and the bodies
 * of `upgrade()` / `downgrade()`. Pure.
 *
 * @module
 */
import { ScriptError } from "../errors.ts";

/** A token of Python source. */
export interface Token {
  readonly kind: "name" | "string" | "number" | "op" | "newline" | "indent" | "dedent" | "end";
  /** Source text; for strings, the decoded value is in {@linkcode Token.value}. */
  readonly text: string;
  /** Decoded string value (strings only). */
  readonly value?: string;
  /** String prefix letters, lowercased (`r`, `b`, `f`, `rb` ...). */
  readonly prefix?: string;
  /** 1-based line of the token's start. */
  readonly line: number;
  /** Offset of the token's start in the source. */
  readonly start: number;
  /** Offset just after the token. */
  readonly end: number;
}

const ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** Decode the body of a non-raw Python string literal. */
function decodeEscapes(body: string, bytes: boolean): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\" || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const n = body[++i];
    if (n === "\n") continue;
    if (n in ESCAPES) {
      out += ESCAPES[n];
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out += String.fromCodePoint(parseInt(m, 8));
      i += m.length - 1;
    } else if (n === "x" && /^[0-9a-fA-F]{2}/.test(body.slice(i + 1))) {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (!bytes && n === "u" && /^[0-9a-fA-F]{4}/.test(body.slice(i + 1))) {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (!bytes && n === "U" && /^[0-9a-fA-F]{8}/.test(body.slice(i + 1))) {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 9), 16));
      i += 8;
    } else {
      // Unknown escapes keep their backslash in Python.
      out += "\\" + n;
    }
  }
  return out;
}

/** Split Python source into tokens, with NEWLINE/INDENT/DEDENT as Python's tokenizer. */
export function tokenize(source: string, file = "<python>"): Token[] {
  const src = source.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const tokens: Token[] = [];
  const indents = [0];
  let i = 0;
  let line = 1;
  let depth = 0;
  let atLineStart = true;
  const fail = (msg: string, at = line): never => {
    throw new ScriptError(`${file}:${at}: ${msg}`);
  };
  const push = (kind: Token["kind"], start: number, end: number, extra: Partial<Token> = {}) =>
    tokens.push({ kind, text: src.slice(start, end), line, start, end, ...extra });

  while (i < src.length) {
    if (atLineStart && depth === 0) {
      // Measure indentation; blank and comment-only lines do not count.
      let j = i;
      let col = 0;
      while (j < src.length && (src[j] === " " || src[j] === "\t" || src[j] === "\f")) {
        col = src[j] === "\t" ? (Math.floor(col / 8) + 1) * 8 : col + 1;
        j++;
      }
      if (j >= src.length || src[j] === "\n" || src[j] === "#") {
        while (j < src.length && src[j] !== "\n") j++;
        i = j + 1;
        line++;
        continue;
      }
      if (col > indents[indents.length - 1]) {
        indents.push(col);
        push("indent", j, j);
      }
      while (col < indents[indents.length - 1]) {
        indents.pop();
        push("dedent", j, j);
      }
      if (col !== indents[indents.length - 1]) fail("inconsistent indentation");
      i = j;
      atLineStart = false;
      continue;
    }
    const c = src[i];
    if (c === "\n") {
      if (depth === 0) {
        push("newline", i, i + 1);
        atLineStart = true;
      }
      i++;
      line++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\f") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === "\\" && src[i + 1] === "\n") {
      i += 2;
      line++;
      continue;
    }
    const str = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
    if (str && /^[rRbBuUfF]{0,2}$/.test(str[1])) {
      const prefix = str[1].toLowerCase();
      const quote = str[2];
      const startLine = line;
      let j = i + str[0].length;
      const bodyStart = j;
      for (;;) {
        if (j >= src.length) fail("string is never closed", startLine);
        if (src[j] === "\\") {
          if (src[j + 1] === "\n") line++;
          j += 2;
          continue;
        }
        if (src.startsWith(quote, j)) break;
        if (src[j] === "\n") {
          if (quote.length === 1) fail("string ends at the end of the line", startLine);
          line++;
        }
        j++;
      }
      const body = src.slice(bodyStart, j);
      const end = j + quote.length;
      const value = prefix.includes("r") ? body : decodeEscapes(body, prefix.includes("b"));
      tokens.push({
        kind: "string",
        text: src.slice(i, end),
        value,
        prefix,
        line: startLine,
        start: i,
        end,
      });
      i = end;
      continue;
    }
    const name = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*/.exec(src.slice(i, i + 200));
    if (name) {
      push("name", i, i + name[0].length);
      i += name[0].length;
      continue;
    }
    const num = /^(?:0[xXoObB][0-9a-fA-F_]+|\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?[jJ]?|\.\d[\d_]*)/
      .exec(src.slice(i, i + 100));
    if (num) {
      push("number", i, i + num[0].length);
      i += num[0].length;
      continue;
    }
    const op =
      /^(?:\*\*=?|\/\/=?|->|:=|<<=?|>>=?|[-+*/%@&|^<>=!]=|\.\.\.|[-+*/%@&|^~<>=.,:;()[\]{}])/
        .exec(src.slice(i, i + 3));
    if (!op) fail(`unexpected character ${JSON.stringify(c)}`);
    const o = op![0];
    if ("([{".includes(o)) depth++;
    if (")]}".includes(o)) depth = Math.max(0, depth - 1);
    push("op", i, i + o.length);
    i += o.length;
  }
  if (!atLineStart) push("newline", src.length, src.length);
  while (indents.length > 1) {
    indents.pop();
    push("dedent", src.length, src.length);
  }
  push("end", src.length, src.length);
  return tokens;
}

/** A value as written in the source: a literal, or a name to resolve. */
export type PyValue =
  | { readonly kind: "none" }
  | { readonly kind: "str"; readonly value: string }
  | { readonly kind: "seq"; readonly items: readonly PyValue[] }
  | { readonly kind: "ref"; readonly name: string }
  | { readonly kind: "other"; readonly text: string };

/** One import: the local name and what it stands for. */
export interface PyImport {
  /** The name bound in the module (`migration` for `from glance.db import migration`). */
  readonly local: string;
  /** Dotted module path (`glance.db` for the example). */
  readonly module: string;
  /** Name imported from the module (`migration`), or undefined for `import a.b`. */
  readonly name?: string;
}

/** One statement of a function body: its source text and what it is, if simple. */
export interface BodyStatement {
  readonly line: number;
  /** The statement's source text (one logical line). */
  readonly text: string;
  /** `op.execute(<sql>)` with a literal string (or `sa.text(...)` of one): the SQL. */
  readonly sql?: string;
  /** Ignorable: `pass`, a docstring, `...`. */
  readonly noop?: boolean;
}

/** A module-level function: its body's statements. */
export interface PyFunction {
  readonly line: number;
  readonly body: readonly BodyStatement[];
  /** The function's source text, `def` line included. */
  readonly source: string;
}

/** What a revision file declares at module level. */
export interface PyModule {
  readonly docstring?: string;
  /** `name = value` at module level (last one wins, as at run time), with the line. */
  readonly assignments: ReadonlyMap<string, { readonly value: PyValue; readonly line: number }>;
  readonly imports: readonly PyImport[];
  readonly functions: ReadonlyMap<string, PyFunction>;
}

/** Split tokens into logical lines (statements) at depth 0, keeping INDENT/DEDENT apart. */
function logicalLines(tokens: readonly Token[]): Token[][] {
  const lines: Token[][] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    if (t.kind === "newline" || t.kind === "end") {
      if (cur.length) lines.push(cur);
      cur = [];
    } else if (t.kind === "indent" || t.kind === "dedent") {
      if (cur.length) lines.push(cur);
      lines.push([t]);
      cur = [];
    } else {
      cur.push(t);
    }
  }
  return lines;
}

/** Adjacent string literals concatenate; undefined when any is an f-string or bytes. */
function concatStrings(ts: readonly Token[]): string | undefined {
  if (ts.length === 0 || ts.some((t) => t.kind !== "string")) return undefined;
  if (ts.some((t) => t.prefix!.includes("f") || t.prefix!.includes("b"))) return undefined;
  return ts.map((t) => t.value!).join("");
}

/** Strip one layer of enclosing parentheses when they wrap the whole token list. */
function unwrap(ts: readonly Token[]): readonly Token[] {
  if (ts.length >= 2 && ts[0].text === "(" && ts[ts.length - 1].text === ")") {
    let d = 0;
    for (let i = 0; i < ts.length; i++) {
      if (["(", "[", "{"].includes(ts[i].text) && ts[i].kind === "op") d++;
      if ([")", "]", "}"].includes(ts[i].text) && ts[i].kind === "op") d--;
      if (d === 0 && i < ts.length - 1) return ts;
    }
    return ts.slice(1, -1);
  }
  return ts;
}

/** Split at depth-0 commas. */
function splitCommas(ts: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let d = 0;
  for (const t of ts) {
    if (t.kind === "op" && "([{".includes(t.text)) d++;
    if (t.kind === "op" && ")]}".includes(t.text)) d--;
    if (d === 0 && t.kind === "op" && t.text === ",") parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts;
}

/** Read an expression as a {@linkcode PyValue}. */
export function readValue(ts: readonly Token[], source: string): PyValue {
  const text = ts.length ? source.slice(ts[0].start, ts[ts.length - 1].end) : "";
  const parts = splitCommas(ts);
  if (parts.length > 1) {
    // A bare tuple `'a', 'b'` (a trailing comma leaves an empty last part).
    const items = parts[parts.length - 1].length === 0 ? parts.slice(0, -1) : parts;
    return { kind: "seq", items: items.map((p) => readValue(p, source)) };
  }
  if (ts.length === 0) return { kind: "other", text };
  const first = ts[0];
  const last = ts[ts.length - 1];
  if (first.kind === "op" && last.kind === "op") {
    const pair = first.text + last.text;
    if (pair === "()" || pair === "[]" || (pair === "{}" && ts.length > 2)) {
      const inner = ts.slice(1, -1);
      const unwrapped = unwrap(ts);
      if (pair === "()" && unwrapped !== ts && splitCommas(inner).length === 1) {
        return readValue(inner, source); // parenthesised expression
      }
      if (inner.length === 0) return { kind: "seq", items: [] };
      const items = splitCommas(inner);
      const kept = items[items.length - 1].length === 0 ? items.slice(0, -1) : items;
      if (kept.some((p) => p.length === 0)) return { kind: "other", text };
      return { kind: "seq", items: kept.map((p) => readValue(p, source)) };
    }
  }
  const s = concatStrings(ts);
  if (s !== undefined) return { kind: "str", value: s };
  if (ts.length === 1 && first.kind === "name") {
    return first.text === "None" ? { kind: "none" } : { kind: "ref", name: first.text };
  }
  if (
    ts.length % 2 === 1 &&
    ts.every((t, i) => i % 2 === 0 ? t.kind === "name" : t.kind === "op" && t.text === ".")
  ) {
    return { kind: "ref", name: ts.map((t) => t.text).join("") };
  }
  return { kind: "other", text };
}

/** Index of the first depth-0 op token `text` in `ts`, or -1. */
function findOp(ts: readonly Token[], text: string): number {
  let d = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (d === 0 && t.kind === "op" && t.text === text) return i;
    if (t.kind === "op" && "([{".includes(t.text)) d++;
    if (t.kind === "op" && ")]}".includes(t.text)) d--;
  }
  return -1;
}

const TEXT_FUNCTIONS = new Set(["text", "sa.text", "sqlalchemy.text", "sql.text"]);

/** `op.execute("...")`, `op.execute(sa.text("..."))`: the SQL, or undefined. */
function executeSql(line: readonly Token[]): string | undefined {
  const names = line.slice(0, 3).map((t) => t.text).join("");
  if (names !== "op.execute" || line[3]?.text !== "(" || line[line.length - 1].text !== ")") {
    return undefined;
  }
  let args = splitCommas(line.slice(4, -1));
  if (args.length === 2 && args[1].length === 0) args = [args[0]];
  if (args.length !== 1) return undefined;
  let arg = unwrap(args[0]);
  const call = findOp(arg, "(");
  if (call > 0 && arg[arg.length - 1].text === ")") {
    const fn = arg.slice(0, call).map((t) => t.text).join("");
    if (!TEXT_FUNCTIONS.has(fn)) return undefined;
    let inner = splitCommas(arg.slice(call + 1, -1));
    if (inner.length === 2 && inner[1].length === 0) inner = [inner[0]];
    if (inner.length !== 1) return undefined;
    arg = unwrap(inner[0]);
  }
  return concatStrings(arg);
}

function readBody(
  lines: Token[][],
  from: number,
  source: string,
): { body: BodyStatement[]; next: number; end: number } {
  const body: BodyStatement[] = [];
  let i = from;
  let end = 0;
  if (lines[i]?.[0]?.kind !== "indent") return { body, next: i, end };
  i++;
  let depth = 1;
  for (; i < lines.length && depth > 0; i++) {
    const l = lines[i];
    if (l[0].kind === "indent") {
      depth++;
      body.push({ line: l[0].line, text: "" });
      continue;
    }
    if (l[0].kind === "dedent") {
      depth--;
      continue;
    }
    end = l[l.length - 1].end;
    body.push(bodyStatement(l, source));
  }
  // Nested blocks were marked with an empty, non-SQL statement: the body is not simple.
  return { body, next: i, end };
}

function bodyStatement(l: readonly Token[], source: string): BodyStatement {
  const text = source.slice(l[0].start, l[l.length - 1].end);
  const line = l[0].line;
  if (l.length === 1 && (l[0].text === "pass" || l[0].text === "...")) {
    return { line, text, noop: true };
  }
  if (concatStrings(l) !== undefined) return { line, text, noop: true };
  const sql = executeSql(l);
  return sql === undefined ? { line, text } : { line, text, sql };
}

/** Read a revision file's module-level declarations. */
export function readModule(source: string, file = "<python>"): PyModule {
  const src = source.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const lines = logicalLines(tokenize(src, file));
  const assignments = new Map<string, { value: PyValue; line: number }>();
  const imports: PyImport[] = [];
  const functions = new Map<string, PyFunction>();
  let docstring: string | undefined;
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const head = l[0];
    if (head.kind === "indent") {
      // A block we do not read (if/try/class bodies): skip to its end.
      let depth = 1;
      while (depth > 0 && ++i < lines.length) {
        if (lines[i][0].kind === "indent") depth++;
        if (lines[i][0].kind === "dedent") depth--;
      }
      continue;
    }
    if (head.kind === "dedent") continue;
    if (first && concatStrings(l) !== undefined) {
      docstring = concatStrings(l);
      first = false;
      continue;
    }
    first = false;
    if (head.kind === "name" && head.text === "def" && l[1]?.kind === "name") {
      const colon = l.length - 1;
      const rest = l[colon].text === ":" ? [] : l.slice(findOp(l.slice(2), ":") + 3);
      const lineStart = src.lastIndexOf("\n", head.start) + 1;
      if (rest.length > 0) {
        functions.set(l[1].text, {
          line: head.line,
          body: [bodyStatement(rest, src)],
          source: src.slice(lineStart, l[l.length - 1].end),
        });
        continue;
      }
      const { body, next, end } = readBody(lines, i + 1, src);
      const source = src.slice(lineStart, Math.max(end, l[l.length - 1].end));
      functions.set(l[1].text, { line: head.line, body, source });
      i = next - 1;
      continue;
    }
    if (head.kind === "name" && head.text === "from") {
      const imp = l.findIndex((t) => t.kind === "name" && t.text === "import");
      const module = l.slice(1, imp).map((t) => t.text).join("");
      const names = l.slice(imp + 1).filter((t) => t.text !== "(" && t.text !== ")");
      for (const part of splitCommas(names)) {
        if (part.length === 0 || part[0].text === "*") continue;
        const local = part.length === 3 && part[1].text === "as" ? part[2].text : part[0].text;
        imports.push({ local, module, name: part[0].text });
      }
      continue;
    }
    if (head.kind === "name" && head.text === "import") {
      for (const part of splitCommas(l.slice(1))) {
        const as = part.findIndex((t) => t.text === "as");
        const module = part.slice(0, as < 0 ? part.length : as).map((t) => t.text).join("");
        const local = as < 0 ? module.split(".")[0] : part[as + 1].text;
        imports.push({ local, module: as < 0 ? local : module });
      }
      continue;
    }
    // name [: annotation] = value
    const eq = findOp(l, "=");
    if (head.kind === "name" && eq > 0) {
      const target = l.slice(0, eq);
      const annotated = target.length > 1 && target[1].text === ":";
      if (target.length === 1 || annotated) {
        assignments.set(head.text, { value: readValue(l.slice(eq + 1), src), line: head.line });
      }
    }
  }
  return { docstring, assignments, imports, functions };
}
