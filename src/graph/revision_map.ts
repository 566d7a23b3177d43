/**
 * The revision graph: a port of Alembic's `RevisionMap` (alembic/script/revision.py).
 *
 * A {@linkcode RevisionMap} is built once from the loader's {@linkcode RevisionInfo}s,
 * validates them and computes everything Alembic derives: heads and bases (versioned and
 * "real", i.e. counting `depends_on`), next revisions, the three sets of down revisions,
 * and branch labels inherited along their branch.
 *
 * Where Alembic iterates a Python `set` (so that its order varies from run to run),
 * this port uses the order in which the revisions were handed in.
 *
 * @module
 */
import { RevisionError } from "../errors.ts";
import { describeRevision } from "./errors.ts";
import type { RevisionInfo, RevisionLookup } from "./types.ts";
import { reachCount, type ReachIntervals, reachIntervals } from "./reach.ts";
import { topologicalSort } from "./topo_sort.ts";

/** Longest revision id the `alembic_version.version_num` column (VARCHAR(32)) holds. */
export const MAX_REVISION_ID_LENGTH = 32;

/**
 * Length of `id` as VARCHAR(32) counts it on PostgreSQL (and `len()` in Alembic): in
 * characters (code points), not UTF-16 units, so an emoji counts once, not twice.
 */
export function revisionIdLength(id: string): number {
  // Without surrogates every UTF-16 unit is a character: no walk (and no iterator) needed.
  if (!/[\uD800-\uDFFF]/.test(id)) return id.length;
  let n = 0;
  for (const _ of id) n++;
  return n;
}

/** Characters a revision id may not contain (Alembic's `@ - +`, and `:` which separates ranges). */
export const ILLEGAL_REVISION_CHARS: readonly string[] = ["@", "-", "+", ":"];

/** Words that are target symbols and so cannot name a revision or a branch. */
export const RESERVED_NAMES: readonly string[] = ["head", "heads", "base"];

/** One revision of a {@linkcode RevisionMap}, with everything Alembic derives for it. */
export interface Revision extends RevisionInfo {
  /** Retired ids a version row may hold for this revision (empty for none). */
  readonly replaces: readonly string[];
  /** Branch labels declared by this revision's own file. */
  readonly declaredBranchLabels: readonly string[];
  /** All branch labels: declared ones plus those inherited along the branch (Alembic's `branch_labels`). */
  readonly branchLabels: readonly string[];
  /** `down_revision` only (Alembic's `_versioned_down_revisions`). */
  readonly versionedDownRevisions: readonly string[];
  /** `depends_on` resolved to revision ids (Alembic's `_resolved_dependencies`). */
  readonly resolvedDependencies: readonly string[];
  /** Resolved dependencies that no versioned ancestor already depends on. */
  readonly normalizedDependencies: readonly string[];
  /** `down_revision` plus resolved dependencies (Alembic's `_all_down_revisions`). */
  readonly allDownRevisions: readonly string[];
  /** `down_revision` plus normalized dependencies (Alembic's `_normalized_down_revisions`). */
  readonly normalizedDownRevisions: readonly string[];
  /** Revisions whose `down_revision` names this one (Alembic's `nextrev`). */
  readonly nextRevisions: readonly string[];
  /** Revisions whose `down_revision` or `depends_on` names this one (Alembic's `_all_nextrev`). */
  readonly allNextRevisions: readonly string[];
  /** No revision has this one as `down_revision` (Alembic's `is_head`). */
  readonly isHead: boolean;
  /** No revision has this one as `down_revision` or dependency (Alembic's `_is_real_head`). */
  readonly isRealHead: boolean;
  /** No `down_revision` (Alembic's `is_base`). */
  readonly isBase: boolean;
  /** No `down_revision` and no `depends_on` (Alembic's `_is_real_base`). */
  readonly isRealBase: boolean;
  /** More than one revision has this one as `down_revision`. */
  readonly isBranchPoint: boolean;
  /** More than one revision has this one as `down_revision` or dependency. */
  readonly isRealBranchPoint: boolean;
  /** More than one `down_revision`. */
  readonly isMergePoint: boolean;
}

/** Which edges a traversal follows. */
export interface TraversalOptions {
  /** Follow `depends_on` edges too (default true, as Alembic). */
  readonly includeDependencies?: boolean;
  /** Raise when one of the start revisions is reachable from another (Alembic's `check`). */
  readonly check?: boolean;
}

/**
 * A revision while the map is built. The arrays of a plain revision in a chain are shared
 * (with the loader's, with each other, or the one empty array) rather than copied: a long
 * history is mostly such revisions, and each copy costs tens of bytes per revision.
 */
interface Node {
  info: RevisionInfo;
  id: string;
  down: readonly string[];
  resolvedDeps: readonly string[];
  normalizedDeps: readonly string[];
  allDown: readonly string[];
  normalizedDown: readonly string[];
  next: string[];
  allNext: string[];
  /** Declared and inherited labels, in the order Alembic adds them; undefined for none. */
  labels: Set<string> | undefined;
}

/** A node's `next` and `allNext` until it has a child: one array, not two per revision. */
const NO_CHILDREN: string[] = [];

/** The one empty list every revision without such edges or labels shares. */
const EMPTY: readonly string[] = Object.freeze([]);

/** `a` frozen, or {@linkcode EMPTY} for an empty one. */
function frozen(a: readonly string[]): readonly string[] {
  return a.length === 0 ? EMPTY : Object.freeze(a);
}

/**
 * `a` as a list nobody can change: {@linkcode EMPTY} for an empty one, `a` itself when it
 * is frozen already (the header loader's lists are: no copy per revision), else a copy.
 */
function frozenCopy(a: readonly string[]): readonly string[] {
  return a.length === 0 ? EMPTY : Object.isFrozen(a) ? a : Object.freeze([...a]);
}

/** `a` then the entries of `b` not in it; `a` itself when `b` adds nothing. */
function union(a: readonly string[], b: readonly string[]): readonly string[] {
  if (b.length === 0) return a;
  return [...new Set([...a, ...b])];
}

function describeAll(nodes: readonly { id: string; file?: string }[]): string {
  return nodes.map((n) => describeRevision(n)).join(", ");
}

/** The validated revision graph. Immutable once built. */
export class RevisionMap implements RevisionLookup {
  /** Versioned heads, in load order: no revision has them as `down_revision`. */
  readonly heads: readonly string[];
  /** Bases, in load order: revisions without `down_revision`. */
  readonly bases: readonly string[];
  /** Heads counting dependencies too (what `heads` resolves to). */
  readonly realHeads: readonly string[];
  /** Bases that have no dependencies either. */
  readonly realBases: readonly string[];

  /** Revisions in load order; {@linkcode loadIndex} is the position here. */
  #list: Revision[] = [];
  #index = new Map<string, number>();
  /** Branch labels: with the ids, Alembic's `_revision_map` keys. */
  #labels = new Map<string, Revision>();
  /** Retired id -> the revision whose `replaces` names it. */
  #replaced = new Map<string, string>();
  #all: Revision[] | undefined;
  #descendantRanges: ReachIntervals | null | undefined;
  #ancestorRanges: ReachIntervals | null | undefined;

  /**
   * Builds and validates the map. Throws {@linkcode RevisionError} for illegal or
   * duplicate ids, dangling `down_revision`/`depends_on`, clashing branch labels and cycles.
   */
  constructor(revisions: readonly RevisionInfo[]) {
    const nodes = new Map<string, Node>();
    for (const info of revisions) {
      validateId(info);
      const prior = nodes.get(info.id);
      if (prior) {
        throw new RevisionError(
          `Revision '${info.id}' is present more than once (${prior.info.file ?? "?"}, ${
            info.file ?? "?"
          })`,
        );
      }
      if (info.downRevisions.includes(info.id)) {
        throw new RevisionError(
          `Self-loop is detected in revisions (${describeRevision(info)})`,
        );
      }
      if (info.dependsOn.includes(info.id)) {
        throw new RevisionError(
          `Dependency self-loop is detected in revisions (${describeRevision(info)})`,
        );
      }
      if (
        info.downRevisions.length > 1 &&
        new Set(info.downRevisions).size !== info.downRevisions.length
      ) {
        throw new RevisionError(
          `Revision ${describeRevision(info)} names a down_revision more than once`,
        );
      }
      nodes.set(info.id, {
        info,
        id: info.id,
        down: frozenCopy(info.downRevisions),
        resolvedDeps: EMPTY,
        normalizedDeps: EMPTY,
        allDown: EMPTY,
        normalizedDown: EMPTY,
        // Replaced by a new array at the first child (see below), never pushed to.
        next: NO_CHILDREN,
        allNext: NO_CHILDREN,
        labels: info.branchLabels.length > 0 ? new Set(info.branchLabels) : undefined,
      });
    }

    // Branch labels share the key space with revision ids (_map_branch_labels).
    const labels = new Map<string, Node>();
    const key = (k: string) => nodes.get(k) ?? labels.get(k);
    for (const node of nodes.values()) {
      for (const label of node.info.branchLabels) {
        if (label === "" || label.includes("@") || RESERVED_NAMES.includes(label)) {
          throw new RevisionError(
            `Branch name '${label}' in revision ${describeRevision(node.info)} is not allowed`,
          );
        }
        const used = key(label);
        if (used) {
          throw new RevisionError(
            `Branch name '${label}' in revision ${describeRevision(node.info)} already used by ` +
              `revision ${describeRevision(used.info)}`,
          );
        }
        labels.set(label, node);
      }
    }

    // Resolve depends_on names (_add_depends_on), then edges.
    for (const node of nodes.values()) {
      if (node.info.dependsOn.length > 0) {
        node.resolvedDeps = Object.freeze(
          node.info.dependsOn.map((dep) => resolveDependency(node, dep, key, nodes)),
        );
      }
      node.allDown = frozen(union(node.down, node.resolvedDeps));
    }
    const heads = new Set(nodes.keys());
    const realHeads = new Set(nodes.keys());
    for (const node of nodes.values()) {
      for (const down of node.down) {
        if (!nodes.has(down)) {
          throw new RevisionError(
            `Revision ${
              describeRevision(node.info)
            } has down_revision '${down}' which does not exist`,
          );
        }
      }
      for (const downId of node.allDown) {
        const down = nodes.get(downId)!;
        // A first child is an array of one: a pushed empty array takes room for 16 (~290
        // bytes a revision of garbage while the map is built).
        if (down.allNext.length === 0) down.allNext = [node.id];
        else down.allNext.push(node.id);
        if (node.down.includes(downId)) {
          if (down.next.length === 0) down.next = [node.id];
          else down.next.push(node.id);
          heads.delete(downId);
        }
        realHeads.delete(downId);
      }
    }

    // _normalize_depends_on: drop dependencies that a versioned ancestor already has.
    // Only a dependency that some other revision also has can be dropped, so the walk
    // over the ancestors (linear per revision) is needed only for those: in the usual
    // graphs (a contract revision depending on its expand revision) for none.
    const holders = new Map<string, number>();
    for (const node of nodes.values()) {
      if (node.resolvedDeps.length === 0) continue;
      for (const dep of new Set(node.resolvedDeps)) holders.set(dep, (holders.get(dep) ?? 0) + 1);
    }
    for (const node of nodes.values()) {
      if (node.resolvedDeps.length === 0) {
        node.normalizedDeps = EMPTY;
      } else if (node.resolvedDeps.every((dep) => holders.get(dep) === 1)) {
        node.normalizedDeps = frozen([...new Set(node.resolvedDeps)]);
      } else {
        const normalized = new Set(node.resolvedDeps);
        for (const anc of iterateNodes([node], (n) => n.down, nodes)) {
          if (anc === node) continue;
          for (const dep of anc.resolvedDeps) normalized.delete(dep);
        }
        node.normalizedDeps = frozen([...normalized]);
      }
      node.normalizedDown = node.normalizedDeps.length === 0
        ? node.down
        : frozen(union(node.down, node.normalizedDeps));
    }

    const bases = [...nodes.values()].filter((n) => n.down.length === 0);
    const realBases = bases.filter((n) => n.info.dependsOn.length === 0);
    detectCycles(nodes, heads, bases, realHeads, realBases);

    addBranches(nodes);

    for (const node of nodes.values()) {
      this.#index.set(node.id, this.#list.length);
      this.#list.push(new RevisionNode(node));
    }
    for (const [label, node] of labels) this.#labels.set(label, this.get(node.id));
    this.#replaced = replacedIds(nodes, labels);
    this.heads = Object.freeze([...heads]);
    this.realHeads = Object.freeze([...realHeads]);
    this.bases = Object.freeze(bases.map((n) => n.id));
    this.realBases = Object.freeze(realBases.map((n) => n.id));
  }

  /** The revision with this full id; throws {@linkcode RevisionError} when there is none. */
  get(id: string): Revision {
    const i = this.#index.get(id);
    if (i === undefined) throw new RevisionError(`Can't locate revision identified by '${id}'`);
    return this.#list[i];
  }

  /** Is there a revision with this full id? */
  has(id: string): boolean {
    return this.#index.has(id);
  }

  /** Number of revisions. */
  get size(): number {
    return this.#list.length;
  }

  /** Every revision in load order. */
  loaded(): Revision[] {
    return [...this.#list];
  }

  /**
   * Every revision in topological order, bases first: the order `upgrade heads` from an
   * empty database runs them (the reverse of `alembic history`). Stable for a given input.
   */
  all(): Revision[] {
    if (!this.#all) {
      const revs = this.loaded();
      this.#all = this.topologicalSort(revs, this.realHeads.map((id) => this.get(id))).reverse()
        .map((id) => this.get(id));
    }
    return [...this.#all];
  }

  /** Position of a revision in load order (Alembic's map insertion order). */
  loadIndex(id: string): number {
    const i = this.#index.get(id);
    if (i === undefined) throw new RevisionError(`Can't locate revision identified by '${id}'`);
    return i;
  }

  /**
   * Looks up a full revision id or a branch label, as Alembic's `_revision_map[key]`
   * (a label gives the revision that declares it). No partial matching.
   */
  lookupKey(key: string): Revision | undefined {
    const i = this.#index.get(key);
    return i === undefined ? this.#labels.get(key) : this.#list[i];
  }

  /** The keys {@linkcode lookupKey} knows: revision ids in load order, then branch labels. */
  keys(): string[] {
    return [...this.#index.keys(), ...this.#labels.keys()];
  }

  /**
   * The revision a retired id stands for (declared by that revision's `replaces`), or
   * undefined when no revision replaces `id`.
   */
  replacedBy(id: string): string | undefined {
    return this.#replaced.get(id);
  }

  /** Every retired id with the revision that replaces it, in load order. */
  replacements(): ReadonlyMap<string, string> {
    return this.#replaced;
  }

  /** `down_revision` plus the dependencies no versioned ancestor already has. */
  normalizedDownRevisions(id: string): readonly string[] {
    return this.get(id).normalizedDownRevisions;
  }

  /**
   * The given revisions and all their ancestors (Alembic's `_get_ancestor_nodes`),
   * following dependencies unless `includeDependencies` is false.
   */
  ancestors(ids: Iterable<string>, opts: TraversalOptions = {}): Set<string> {
    return new Set(this.ancestorNodes([...ids].map((id) => this.get(id)), opts).map((r) => r.id));
  }

  /**
   * The given revisions and all their descendants (Alembic's `_get_descendant_nodes`),
   * following dependencies unless `includeDependencies` is false.
   */
  descendants(ids: Iterable<string>, opts: TraversalOptions = {}): Set<string> {
    return new Set(
      this.descendantNodes([...ids].map((id) => this.get(id)), opts).map((r) => r.id),
    );
  }

  /**
   * For every revision, the size of `ancestors([id])` (itself included), computed in one
   * pass: a revision with one parent has its parent's count plus one, so a long chain
   * costs no walk; merge points (and revisions with dependencies) count their
   * {@linkcode ancestorRanges}, or are walked when the graph has none.
   */
  ancestorCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const start of this.#list) {
      const stack = [start];
      while (stack.length > 0) {
        const rev = stack[stack.length - 1];
        if (counts.has(rev.id)) {
          stack.pop();
          continue;
        }
        const parents = new Set(rev.normalizedDownRevisions);
        if (parents.size === 1) {
          const [parent] = parents;
          const below = counts.get(parent);
          if (below === undefined) {
            stack.push(this.get(parent));
            continue;
          }
          counts.set(rev.id, below + 1);
        } else if (parents.size === 0) {
          counts.set(rev.id, 1);
        } else {
          const ranges = this.ancestorRanges();
          counts.set(
            rev.id,
            ranges ? reachCount(ranges, this.loadIndex(rev.id)) : this.ancestorNodes([rev]).length,
          );
        }
        stack.pop();
      }
    }
    return counts;
  }

  /** Ancestor revisions, in Alembic's traversal order (depth first). */
  ancestorNodes(targets: readonly Revision[], opts: TraversalOptions = {}): Revision[] {
    const deps = opts.includeDependencies ?? true;
    return this.iterateRelated(
      targets,
      deps ? (r) => r.normalizedDownRevisions : (r) => r.versionedDownRevisions,
      opts.check ?? false,
    );
  }

  /** Descendant revisions, in Alembic's traversal order (depth first). */
  descendantNodes(targets: readonly Revision[], opts: TraversalOptions = {}): Revision[] {
    const deps = opts.includeDependencies ?? true;
    return this.iterateRelated(
      targets,
      deps ? (r) => r.allNextRevisions : (r) => r.nextRevisions,
      opts.check ?? false,
    );
  }

  /**
   * Alembic's `_iterate_related_revisions`: depth-first walk from each target along
   * `edges`, each revision once. With `check`, a target reachable from another target
   * is an error ("Requested revision X overlaps with other requested revisions Y").
   */
  iterateRelated(
    targets: readonly Revision[],
    edges: (rev: Revision) => readonly string[],
    check = false,
  ): Revision[] {
    const seen = new Set<Revision>();
    const out: Revision[] = [];
    for (const target of targets) {
      const todo: Revision[] = [target];
      const perTarget = new Set<Revision>();
      while (todo.length > 0) {
        const rev = todo.pop()!;
        if (check) perTarget.add(rev);
        if (seen.has(rev)) continue;
        seen.add(rev);
        for (const id of edges(rev)) todo.push(this.get(id));
        out.push(rev);
      }
      if (check) {
        const overlaps = dedupeRevs(targets.filter((t) => t !== target && perTarget.has(t)));
        if (overlaps.length > 0) {
          throw new RevisionError(
            `Requested revision ${describeRevision(target)} overlaps with other requested ` +
              `revisions ${describeAll(overlaps)}`,
          );
        }
      }
    }
    return out;
  }

  /**
   * Alembic's `_topological_sort`: ids of `revisions` ordered so that every revision
   * comes before its down revisions (newest first), walking down from `heads` one
   * branch at a time, preferring load order ({@linkcode topologicalSort}).
   */
  topologicalSort(revisions: Iterable<Revision>, heads: Iterable<Revision>): string[] {
    return topologicalSort(this, revisions, heads);
  }

  /**
   * Each revision's descendants (itself included, following dependencies) as ranges of
   * a preorder, indexed by {@linkcode loadIndex}; undefined for a graph whose edges
   * cross too much for ranges to pay. Built when first asked for.
   */
  descendantRanges(): ReachIntervals | undefined {
    if (this.#descendantRanges === undefined) {
      const children: number[][] = this.#list.map(() => []);
      this.#list.forEach((rev, i) => {
        for (const down of rev.normalizedDownRevisions) children[this.loadIndex(down)].push(i);
      });
      // numbered along each revision's first down revision: a branch is one run
      this.#descendantRanges = this.#ranges((i) => children[i], (j) => {
        const down = this.#list[j].normalizedDownRevisions;
        return down.length === 0 ? -1 : this.loadIndex(down[0]);
      });
    }
    return this.#descendantRanges ?? undefined;
  }

  /** Like {@linkcode descendantRanges}, for ancestors (along `normalizedDownRevisions`). */
  ancestorRanges(): ReachIntervals | undefined {
    if (this.#ancestorRanges === undefined) {
      const parents = this.#list.map((rev) =>
        rev.normalizedDownRevisions.map((id) => this.loadIndex(id))
      );
      // numbered down each branch from its head: a revision's tree parent is a child
      // whose first down revision it is, else its first child
      const treeParent = new Int32Array(parents.length).fill(-1);
      const rank = new Int32Array(parents.length).fill(2);
      parents.forEach((down, i) =>
        down.forEach((j, k) => {
          const r = k === 0 ? 0 : 1;
          if (r < rank[j]) {
            rank[j] = r;
            treeParent[j] = i;
          }
        })
      );
      this.#ancestorRanges = this.#ranges((i) => parents[i], (j) => treeParent[j]);
    }
    return this.#ancestorRanges ?? undefined;
  }

  #ranges(
    out: (i: number) => readonly number[],
    treeParent: (j: number) => number,
  ): ReachIntervals | null {
    // up to a few dozen ranges per revision (a history of that many parallel branches,
    // each depending on the others); past that a walk per question is no dearer
    const n = this.#list.length;
    return reachIntervals(n, out, 32 * n + 1024, treeParent) ?? null;
  }
}

function dedupeRevs(revs: Revision[]): Revision[] {
  return [...new Set(revs)];
}

function validateId(info: RevisionInfo): void {
  const id = info.id;
  const where = info.file === undefined ? "" : ` (${info.file})`;
  if (id === "") throw new RevisionError(`Empty revision identifier${where}`);
  const illegal = /[@\-+:]/.test(id)
    ? ILLEGAL_REVISION_CHARS.filter((c) => id.includes(c)).sort()
    : [];
  if (illegal.length > 0) {
    throw new RevisionError(
      `Character(s) '${illegal.join(", ")}' not allowed in revision identifier '${id}'${where}`,
    );
  }
  if (revisionIdLength(id) > MAX_REVISION_ID_LENGTH) {
    throw new RevisionError(
      `Revision identifier '${id}'${where} is longer than ${MAX_REVISION_ID_LENGTH} characters`,
    );
  }
  if (RESERVED_NAMES.includes(id)) {
    throw new RevisionError(`Revision identifier '${id}'${where} is a reserved word`);
  }
}

/**
 * Resolves one `depends_on` entry: a revision id or branch label, as Alembic. A partial id
 * is refused: Alembic 1.8 looks entries up in its map as they are written and fails (with a
 * KeyError) on every command of such a project, so bellows refuses it as well.
 */
function resolveDependency(
  node: Node,
  dep: string,
  key: (k: string) => Node | undefined,
  nodes: Map<string, Node>,
): string {
  const exact = key(dep);
  if (exact) return exact.id;
  const prefixOf = [...nodes.keys()].filter((id) => dep !== "" && id.startsWith(dep));
  throw new RevisionError(
    `Revision ${describeRevision(node.info)} depends on '${dep}' which does not exist` +
      (prefixOf.length > 0
        ? ` (depends_on takes a full revision id or a branch label, not a partial id: ${
          prefixOf.map((c) => `'${c}'`).join(", ")
        })`
        : ""),
  );
}

function iterateNodes(
  targets: readonly Node[],
  edges: (n: Node) => readonly string[],
  nodes: Map<string, Node>,
): Node[] {
  const seen = new Set<Node>();
  const out: Node[] = [];
  for (const target of targets) {
    const todo = [target];
    while (todo.length > 0) {
      const n = todo.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const id of edges(n)) todo.push(nodes.get(id)!);
      out.push(n);
    }
  }
  return out;
}

/**
 * The retired ids of every revision's `replaces`. A retired id must not be a revision's own
 * id (a version row holding it would mean two revisions), nor be replaced by two revisions,
 * nor be a branch label of another revision; a label of the replacing revision itself is
 * fine (Glance's `ocata01` is both a label of `ocata_contract01` and what it replaces).
 */
function replacedIds(nodes: Map<string, Node>, labels: Map<string, Node>): Map<string, string> {
  const replaced = new Map<string, Node>();
  for (const node of nodes.values()) {
    for (const old of node.info.replaces ?? []) {
      const where = `${describeRevision(node.info)} replaces '${old}'`;
      const rev = nodes.get(old);
      if (rev) {
        throw new RevisionError(
          `Revision ${where}, which is itself revision ${describeRevision(rev.info)}`,
        );
      }
      const prior = replaced.get(old);
      if (prior && prior !== node) {
        throw new RevisionError(
          `Revision ${where}, which revision ${describeRevision(prior.info)} replaces too`,
        );
      }
      const label = labels.get(old);
      if (label && label !== node) {
        throw new RevisionError(
          `Revision ${where}, which is a branch label of revision ${describeRevision(label.info)}`,
        );
      }
      replaced.set(old, node);
    }
  }
  return new Map([...replaced].map(([old, node]) => [old, node.id]));
}

/** The nodes reachable from `targets` along `edges`, the targets included. */
function reach(
  targets: readonly Node[],
  edges: (n: Node) => readonly string[],
  nodes: Map<string, Node>,
): Set<Node> {
  const seen = new Set<Node>();
  const todo = [...targets];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const id of edges(n)) todo.push(nodes.get(id)!);
  }
  return seen;
}

/** Alembic's `_detect_cycles`. */
function detectCycles(
  nodes: Map<string, Node>,
  heads: Set<string>,
  bases: Node[],
  realHeads: Set<string>,
  realBases: Node[],
): void {
  if (nodes.size === 0) return;
  const infos = (ids: Iterable<string>) => [...ids].map((id) => nodes.get(id)!.info);
  const check = (
    kind: string,
    from: Node[],
    down: (n: Node) => readonly string[],
    to: Node[],
    up: (n: Node) => readonly string[],
  ) => {
    if (from.length === 0 || to.length === 0) {
      throw new RevisionError(
        `${kind} is detected in revisions (${describeAll(infos(nodes.keys()))})`,
      );
    }
    const fromHeads = reach(from, down, nodes);
    const fromBases = reach(to, up, nodes);
    const deleted: string[] = [];
    for (const n of nodes.values()) {
      if (!(fromHeads.has(n) && fromBases.has(n))) deleted.push(n.id);
    }
    deleted.sort();
    if (deleted.length > 0) {
      throw new RevisionError(`${kind} is detected in revisions (${describeAll(infos(deleted))})`);
    }
  };
  const headNodes = (ids: Set<string>) => [...ids].map((id) => nodes.get(id)!);
  // Without any depends_on both edge sets are the same (allDown is down itself, allNext
  // holds what next does, the real heads and bases are the heads and bases): each check
  // below is needed once.
  let deps = false;
  for (const n of nodes.values()) if (n.allDown !== n.down) deps = true;
  check("Cycle", headNodes(heads), (n) => n.down, bases, (n) => n.next);
  if (deps) {
    check("Dependency cycle", headNodes(realHeads), (n) => n.allDown, realBases, (n) => n.allNext);
  }
  // Alembic's reachability test misses a cycle that hangs between a base and a head
  // (a merge whose second parent is its own descendant); look for one directly.
  for (
    const [kind, down] of [["Cycle", (n: Node) => n.down], [
      "Dependency cycle",
      (n: Node) => n.allDown,
    ]] as const
  ) {
    if (kind === "Dependency cycle" && !deps) break;
    const cycle = findCycle(nodes, down);
    if (cycle) {
      throw new RevisionError(`${kind} is detected in revisions (${describeAll(infos(cycle))})`);
    }
  }
}

/** A cycle along `down` edges, as ids in edge order, or undefined. */
function findCycle(
  nodes: Map<string, Node>,
  down: (n: Node) => readonly string[],
): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  for (const start of nodes.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    const stack: [string, number][] = [[start, 0]];
    state.set(start, "open");
    path.push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const edges = down(nodes.get(top[0])!);
      if (top[1] >= edges.length) {
        state.set(top[0], "done");
        stack.pop();
        path.pop();
        continue;
      }
      const next = edges[top[1]++];
      const st = state.get(next);
      if (st === "open") return path.slice(path.indexOf(next));
      if (st === undefined) {
        state.set(next, "open");
        stack.push([next, 0]);
        path.push(next);
      }
    }
  }
  return undefined;
}

/** Alembic's `_add_branches`: labels spread up the branch, and down to its branch point. */
function addBranches(nodes: Map<string, Node>): void {
  for (const rev of nodes.values()) {
    if (rev.info.branchLabels.length === 0) continue;
    const own = rev.labels!;
    let last: Node = rev;
    for (const node of iterateNodes([rev], (n) => n.next, nodes)) {
      for (const l of own) (node.labels ??= new Set()).add(l);
      last = node;
    }
    let parent: Node | undefined = last;
    while (parent && parent.allNext.length <= 1 && parent.down.length <= 1) {
      for (const l of own) (parent.labels ??= new Set()).add(l);
      if (parent.down.length === 0) break;
      parent = nodes.get(parent.down[0]);
    }
  }
}

/**
 * A revision of the map. The flags are getters over the edge lists rather than fields, and
 * the lists are shared where equal (see {@linkcode Node}), to keep a revision to a few
 * hundred bytes. Frozen once built.
 */
class RevisionNode implements Revision {
  readonly id: string;
  readonly downRevisions: readonly string[];
  readonly dependsOn: readonly string[];
  readonly message: string;
  readonly file?: string;
  readonly replaces: readonly string[];
  readonly declaredBranchLabels: readonly string[];
  readonly branchLabels: readonly string[];
  readonly versionedDownRevisions: readonly string[];
  readonly resolvedDependencies: readonly string[];
  readonly normalizedDependencies: readonly string[];
  readonly allDownRevisions: readonly string[];
  readonly normalizedDownRevisions: readonly string[];
  readonly nextRevisions: readonly string[];
  readonly allNextRevisions: readonly string[];

  constructor(node: Node) {
    const info = node.info;
    this.id = info.id;
    this.downRevisions = info.downRevisions;
    this.dependsOn = info.dependsOn;
    this.message = info.message;
    if (info.file !== undefined) this.file = info.file;
    this.replaces = info.replaces && info.replaces.length > 0 ? frozen([...info.replaces]) : EMPTY;
    this.declaredBranchLabels = frozenCopy(info.branchLabels);
    this.branchLabels = node.labels ? frozen([...node.labels]) : EMPTY;
    this.versionedDownRevisions = node.down;
    this.resolvedDependencies = node.resolvedDeps;
    this.normalizedDependencies = node.normalizedDeps;
    this.allDownRevisions = node.allDown;
    this.normalizedDownRevisions = node.normalizedDown;
    // Copies of exactly their length: arrays grown by push keep room for 17 ids (~125
    // bytes a revision).
    this.nextRevisions = frozen(node.next.slice());
    this.allNextRevisions = node.allNext.length === node.next.length
      ? this.nextRevisions
      : frozen(node.allNext.slice());
    Object.freeze(this);
  }

  get isHead(): boolean {
    return this.nextRevisions.length === 0;
  }
  get isRealHead(): boolean {
    return this.allNextRevisions.length === 0;
  }
  get isBase(): boolean {
    return this.versionedDownRevisions.length === 0;
  }
  get isRealBase(): boolean {
    return this.versionedDownRevisions.length === 0 && this.dependsOn.length === 0;
  }
  get isBranchPoint(): boolean {
    return this.nextRevisions.length > 1;
  }
  get isRealBranchPoint(): boolean {
    return this.allNextRevisions.length > 1;
  }
  get isMergePoint(): boolean {
    return this.versionedDownRevisions.length > 1;
  }
}
