/**
 * The target language: what `upgrade`, `downgrade`, `stamp`, `show` and `history`
 * accept, resolved exactly as Alembic's `RevisionMap` does (`get_revisions`,
 * `get_revision`, `_resolve_revision_number`, `_revision_for_ident`, `_walk`,
 * `_parse_upgrade_target`, `_parse_downgrade_target`).
 *
 * Accepted forms: `head`, `heads`, `base`, full or partial ids (a unique prefix; only
 * ids and labels longer than three characters are candidates), branch labels,
 * `label@head`, `label@heads`, `label@base`, `label@rev`, `rev@head`, relative `+N`/`-N`,
 * `rev+N`, `rev-N`, `label@+N`, `label@-N`, `label@rev+N`, `head-N`, and for `show`-like
 * lookups `-N` / `label@-N` (walking down from every head).
 *
 * @module
 */
import { RevisionError } from "../errors.ts";
import { describeRevision, MultipleHeadsError, ResolutionError } from "./errors.ts";
import type { Revision, RevisionMap } from "./revision_map.ts";

/**
 * What an identifier resolves to: a revision, `null` (Alembic's `None`: nothing, the
 * empty side of `base`) or `"base"` (what walking down past a base gives).
 */
export type Ref = Revision | null | "base";

/** Alembic's `_relative_destination`, anchored at the start only as Python's `re.match`. */
const RELATIVE = /^(?:(.+?)@)?([\p{L}\p{N}_]+)?([+-]\d+)/u;

interface RelativeMatch {
  readonly label: string | undefined;
  readonly symbol: string | undefined;
  readonly relative: string;
}

function matchRelative(target: string): RelativeMatch | undefined {
  const m = RELATIVE.exec(target);
  if (!m) return undefined;
  return { label: m[1], symbol: m[2], relative: m[3] };
}

/** Python's `int()` on a revision string, or undefined when it is not an integer. */
function asInt(s: string): number | undefined {
  const t = s.trim();
  return /^[+-]?\d+$/.test(t) ? Number(t) : undefined;
}

function isRevision(ref: Ref | string | undefined): ref is Revision {
  return ref !== null && ref !== undefined && typeof ref !== "string";
}

function didntProduce(relative: string | number, steps: number): RevisionError {
  return new RevisionError(`Relative revision ${relative} didn't produce ${steps} migrations`);
}

/** Resolves targets against one {@linkcode RevisionMap}: the port of Alembic's lookups. */
export class TargetResolver {
  /** The map resolved against. */
  readonly map: RevisionMap;

  /** {@linkcode filterForLineage}'s sets, by what they are of (the map does not change). */
  readonly #lineages = new Map<string, Set<Revision>>();

  /** A resolver for `map`. */
  constructor(map: RevisionMap) {
    this.map = map;
  }

  /**
   * Alembic's `_resolve_revision_number`: splits `label@`, expands `head`, `heads`
   * and `base`; returns the ids (unresolved otherwise) and the branch label.
   */
  resolveNumber(id: string | null): [string[], string | null] {
    let label: string | null = null;
    if (id !== null && id.includes("@")) {
      const at = id.indexOf("@");
      label = id.slice(0, at);
      id = id.slice(at + 1);
    }
    if (id === "heads") {
      return [
        label ? this.filterForLineage(this.map.heads, label) : [...this.map.realHeads],
        label,
      ];
    }
    if (id === "head") {
      const head = this.currentHead(label);
      return [head === null ? [] : [head], label];
    }
    if (id === "base" || id === null) return [[], label];
    return [[id], label];
  }

  /**
   * The single head (of a branch): Alembic's `get_current_head`. Throws
   * {@linkcode MultipleHeadsError} when there are several.
   */
  currentHead(label: string | null = null): string | null {
    let heads: readonly string[] = this.map.heads;
    if (label) heads = this.filterForLineage(heads, label);
    if (heads.length > 1) throw new MultipleHeadsError(heads, label ? `${label}@head` : "head");
    return heads[0] ?? null;
  }

  /**
   * Alembic's `get_revisions`: every revision an identifier (or list of them) names.
   * `base` gives none; `-N` and `label@-N` walk down N from each head.
   */
  getRevisions(id: string | readonly (string | null)[] | null): Ref[] {
    if (Array.isArray(id)) return id.flatMap((one) => this.getRevisions(one));
    const [resolved, label] = this.resolveNumber(id as string | null);
    if (resolved.length === 1) {
      const n = asInt(resolved[0]);
      if (n !== undefined && n < 0) {
        let heads = this.getRevisions("heads").filter(isRevision);
        if (label !== null) heads = heads.filter((h) => h.branchLabels.includes(label));
        return heads.map((h) => this.walk(h, n));
      }
    }
    return resolved.map((r) => this.revisionForIdent(r, label));
  }

  /**
   * Alembic's `get_revision`: the one revision an identifier names, `null` for `base`.
   * Throws {@linkcode MultipleHeadsError} when it names several.
   */
  getRevision(id: string | null): Revision | null {
    const [resolved, label] = this.resolveNumber(id);
    if (resolved.length > 1) throw new MultipleHeadsError(resolved, id ?? "None");
    return this.revisionForIdent(resolved[0] ?? null, label);
  }

  /** Alembic's `_resolve_branch`: a label, or failing that a revision, to branch on. */
  resolveBranch(label: string): Revision {
    const rev = this.map.lookupKey(label);
    if (rev) return rev;
    try {
      return this.revisionForIdent(label)!;
    } catch (err) {
      if (err instanceof ResolutionError) {
        throw new ResolutionError(`No such branch: '${label}'`, label);
      }
      throw err;
    }
  }

  /**
   * Alembic's `_revision_for_ident`: a full id, branch label or unique partial id,
   * optionally required to share lineage with `checkBranch`.
   */
  revisionForIdent(resolved: string | null, checkBranch: string | null = null): Revision | null {
    const branchRev = checkBranch ? this.resolveBranch(checkBranch) : null;
    let revision: Revision | null;
    if (resolved === null) {
      revision = null;
    } else {
      revision = this.map.lookupKey(resolved) ?? null;
      if (revision === null) {
        if (resolved === "") {
          throw new ResolutionError("Can't locate revision identified by ''", "");
        }
        let revs = this.map.keys().filter((k) => k.length > 3 && k.startsWith(resolved));
        if (branchRev) revs = this.filterForLineage(revs, checkBranch);
        if (revs.length === 0) {
          throw new ResolutionError(`Can't locate revision identified by '${resolved}'`, resolved);
        }
        if (revs.length > 1) {
          throw new ResolutionError(
            `Multiple revisions start with '${resolved}': ${
              revs.map((r) => this.#describeKey(r)).join(", ")
            }`,
            resolved,
          );
        }
        revision = this.map.lookupKey(revs[0])!;
      }
    }
    if (checkBranch && revision !== null && resolved !== null) {
      if (!this.sharesLineage(revision, [branchRev!])) {
        throw new ResolutionError(
          `Revision ${describeRevision(revision)} is not a member of branch '${checkBranch}'`,
          resolved,
        );
      }
    }
    return revision;
  }

  #describeKey(key: string): string {
    const rev = this.map.lookupKey(key)!;
    return rev.id === key ? describeRevision(rev) : `'${key}' (branch of ${describeRevision(rev)})`;
  }

  /**
   * Alembic's `filter_for_lineage`: the targets that are ancestors or descendants of
   * what `checkAgainst` names (a label, `label@head`, an id ...).
   */
  filterForLineage<T extends Revision | string>(
    targets: Iterable<T>,
    checkAgainst: string | null,
    includeDependencies = false,
  ): T[] {
    const [ids, label] = this.resolveNumber(checkAgainst);
    const shares: string[] = [];
    if (label) shares.push(label);
    shares.push(...ids);
    if (shares.length === 0) return [...targets];
    // Alembic walks up and down from each target (quadratic over many targets, e.g. the
    // ancestors `label@+1` filters); a target shares lineage with what `shares` names
    // exactly when it is among their ancestors or descendants, one walk for all targets.
    let lineage: Set<Revision> | undefined;
    return [...targets].filter((t) => {
      const rev: Revision = typeof t === "string" ? this.revisionForIdent(t)! : (t as Revision);
      lineage ??= this.#lineage(shares, includeDependencies);
      return lineage.has(rev);
    });
  }

  /** What {@linkcode sharesLineage} tests, as a set: `against`, their ancestors and descendants. */
  #lineage(against: readonly string[], includeDependencies: boolean): Set<Revision> {
    const key = `${includeDependencies}\0${against.join("\0")}`;
    let set = this.#lineages.get(key);
    if (set === undefined) {
      const revs = against.map((a) => this.revisionForIdent(a)).filter((r) => r !== null);
      const opts = { includeDependencies };
      set = new Set(this.map.ancestorNodes(revs, opts));
      for (const r of this.map.descendantNodes(revs, opts)) set.add(r);
      this.#lineages.set(key, set);
    }
    return set;
  }

  /** Alembic's `_shares_lineage`. */
  sharesLineage(
    target: Revision | string,
    against: readonly (Revision | string)[],
    includeDependencies = false,
  ): boolean {
    if (against.length === 0) return true;
    const rev = typeof target === "string" ? this.revisionForIdent(target)! : target;
    const others = new Set(
      against.map((a) => typeof a === "string" ? this.revisionForIdent(a) : a),
    );
    const opts = { includeDependencies };
    return this.map.descendantNodes([rev], opts).some((r) => others.has(r)) ||
      this.map.ancestorNodes([rev], opts).some((r) => others.has(r));
  }

  /**
   * Alembic's `_walk`: `steps` up (positive) or down (negative) from `start`
   * (`null` is below the bases). Returns `null` when walking past the end and
   * `noOverwalk` is set, else stops there.
   */
  walk(
    start: string | Ref,
    steps: number,
    branchLabel: string | null = null,
    noOverwalk = true,
  ): Ref {
    let initial: Ref = typeof start === "string" && start !== "base"
      ? this.getRevision(start)
      : start === "base"
      ? null
      : start;
    for (let i = 0; i < Math.abs(steps); i++) {
      let children: Ref[];
      if (steps > 0) {
        const from = initial === null ? this.map.bases : (initial as Revision).nextRevisions;
        const up = this.getRevisions(from).filter(isRevision);
        children = branchLabel ? this.filterForLineage(up, branchLabel) : up;
      } else if (initial === "base") {
        children = [];
      } else {
        children = this.getRevisions(
          initial === null ? this.map.heads : initial.versionedDownRevisions,
        );
        if (children.length === 0) children = ["base"];
      }
      if (children.length === 0) return noOverwalk ? null : initial;
      if (children.length > 1) {
        const from = isRevision(initial) ? ` from ${describeRevision(initial)}` : "";
        throw new RevisionError(`Ambiguous walk${from}`);
      }
      initial = children[0];
    }
    return initial;
  }

  /** Alembic's `_get_all_current`: the branch tips of the given heads plus their ancestors. */
  allCurrent(heads: readonly string[]): Revision[] {
    const top = new Set(this.getRevisions(heads).filter(isRevision));
    for (const r of this.map.ancestorNodes([...top])) top.add(r);
    return this.filterIntoBranchHeads(top);
  }

  /**
   * Alembic's `_filter_into_branch_heads`: drop revisions with a versioned descendant in
   * the set. Alembic walks the descendants of each member (quadratic on a long chain); a
   * member has a versioned descendant in the set exactly when it is a versioned ancestor of
   * another member, so one walk down from all members at once marks them, each revision once.
   */
  filterIntoBranchHeads(targets: Iterable<Revision>): Revision[] {
    const set = new Set(targets);
    const below = new Set<string>();
    const todo: string[] = [];
    for (const rev of set) todo.push(...rev.versionedDownRevisions);
    while (todo.length > 0) {
      const id = todo.pop()!;
      if (below.has(id)) continue;
      below.add(id);
      todo.push(...this.map.get(id).versionedDownRevisions);
    }
    return [...set].filter((rev) => !below.has(rev.id))
      .sort((a, b) => this.map.loadIndex(a.id) - this.map.loadIndex(b.id));
  }

  /**
   * Alembic's `_parse_downgrade_target`: the branch label and the revision a downgrade
   * target names, relative forms (`-1`, `label@-1`) taken from `current`.
   */
  parseDowngradeTarget(
    current: readonly string[],
    target: string | null,
    assertRelativeLength: boolean,
  ): [string | null, Ref] {
    if (target === null) return [null, null];
    const m = matchRelative(target);
    if (m) {
      let label = m.label ?? null;
      let symbol = m.symbol ?? null;
      const rel = Number(m.relative);
      if (rel >= 0) {
        if (symbol === null) throw didntProduce(m.relative, Math.abs(rel));
        const rev = this.walk(symbol, rel, label, assertRelativeLength);
        if (rev === null) throw new RevisionError("Walked too far");
        return [label, rev];
      }
      const relativeRevision = symbol === null;
      if (relativeRevision) {
        if (label) {
          let symbols: string[] = this.filterForLineage(current, label);
          if (symbols.length === 0) {
            const all = this.allCurrent(current);
            symbols = this.filterForLineage(all, label).map((r) => r.id);
          }
          if (symbols.length !== 1) {
            throw new RevisionError(
              `Relative revision ${target} is ambiguous: ${
                symbols.length === 0 ? "no" : "several"
              } current revisions on branch '${label}'`,
            );
          }
          symbol = symbols[0];
        } else {
          if (current.length === 0) throw didntProduce(m.relative, Math.abs(rel));
          symbol = current[0];
          label = symbol;
        }
      }
      const start = label === null
        ? this.getRevision(symbol)
        : this.getRevision(`${label}@${symbol}`);
      const rev = this.walk(start, rel, null, assertRelativeLength);
      if (rev === null) {
        throw relativeRevision
          ? didntProduce(m.relative, Math.abs(rel))
          : new RevisionError("Walked too far");
      }
      return [label, rev];
    }
    const at = target.lastIndexOf("@");
    const label = at > 0 ? target.slice(0, at) : null;
    return [label, this.getRevision(target.slice(at + 1))];
  }

  /**
   * Alembic's `_parse_upgrade_target`: the revisions an upgrade target names,
   * relative forms (`+1`, `label@+1`) taken from `current`.
   */
  parseUpgradeTarget(
    current: readonly string[],
    target: string | readonly string[] | null,
    assertRelativeLength: boolean,
  ): Ref[] {
    const m = typeof target === "string" ? matchRelative(target) : undefined;
    if (!m) return this.getRevisions(target);
    const label = m.label ?? null;
    const symbol = m.symbol ?? null;
    const relative = Number(m.relative);
    if (relative > 0) {
      if (symbol !== null) {
        return [this.walk(this.getRevision(symbol), relative, label, assertRelativeLength)];
      }
      let startRevs: (string | Revision | null)[] = current.length === 0 ? [null] : [...current];
      if (label) {
        const currentRevs = this.getRevisions(startRevs as (string | null)[]).filter(isRevision);
        startRevs = this.filterForLineage(currentRevs, label);
        if (startRevs.length === 0) {
          const active = this.filterForLineage(this.map.ancestorNodes(currentRevs), label);
          const downs = new Set(active.flatMap((r) => r.normalizedDownRevisions));
          startRevs = active.filter((r) => !downs.has(r.id)).map((r) => r.id);
          if (startRevs.length === 0) startRevs = [null];
        }
      }
      if (startRevs.length > 1) {
        throw new RevisionError("Ambiguous upgrade from multiple current revisions");
      }
      const rev = this.walk(startRevs[0], relative, label, assertRelativeLength);
      if (rev === null) throw didntProduce(m.relative, Math.abs(relative));
      return [rev];
    }
    if (symbol === null) throw didntProduce(relative, Math.abs(relative));
    const start = label === null
      ? this.getRevision(symbol)
      : this.getRevision(`${label}@${symbol}`);
    return [this.walk(start, relative, null, assertRelativeLength)];
  }
}

/**
 * Every revision `target` names (Alembic's `ScriptDirectory.get_revisions`, as `show`
 * uses it): `heads`, `label@heads`, ids, partial ids, labels, `-N`... `base` gives none.
 */
export function resolveRevisions(map: RevisionMap, target: string): Revision[] {
  return requireRevisions(new TargetResolver(map).getRevisions(target), target);
}

/**
 * Checks that a relative walk (`-N`) gave revisions: Alembic hands on `None` (walked
 * past the base) or `"base"` and crashes later; this throws {@linkcode RevisionError}.
 */
export function requireRevisions(refs: readonly Ref[], target: string): Revision[] {
  return refs.map((ref) => {
    if (ref === null) throw new RevisionError(`Relative revision ${target} walks past the base`);
    if (ref === "base") {
      throw new RevisionError(`Relative revision ${target} reaches base on a branch`);
    }
    return ref;
  });
}

/**
 * The one revision `target` names (Alembic's `ScriptDirectory.get_revision`), or
 * `null` for `base`. Throws when it names several (`head` with several heads).
 */
export function resolveRevision(map: RevisionMap, target: string): Revision | null {
  return new TargetResolver(map).getRevision(target);
}

/**
 * The version rows an offline (`--sql`) run starts from, given the `start` of a
 * `start:end` argument: Alembic's `MigrationContext.get_current_heads` in SQL mode
 * (`base` or nothing is no rows; anything else must name one revision).
 */
export function offlineStartHeads(map: RevisionMap, start: string | undefined): string[] {
  if (start === undefined || start === "base" || start === "") return [];
  const rev = new TargetResolver(map).getRevision(start);
  return rev === null ? [] : [rev.id];
}
