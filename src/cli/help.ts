/**
 * The docs page each command's `--help` points to: one table, so that help stays short and
 * the reference lives in docs/ (one page per subject).
 *
 * @module
 */
import type { Command } from "commander";

/** Command name -> the docs page (relative to the repository) that explains it in full. */
export const HELP_PAGES: Readonly<Record<string, string>> = {
  upgrade: "docs/commands.md",
  downgrade: "docs/commands.md",
  stamp: "docs/commands.md",
  current: "docs/commands.md",
  history: "docs/commands.md",
  heads: "docs/commands.md",
  branches: "docs/commands.md",
  show: "docs/commands.md",
  revision: "docs/commands.md#writing-revisions",
  merge: "docs/commands.md#writing-revisions",
  plan: "docs/commands.md#plan-reviewing-before-running",
  graph: "docs/commands.md#graph",
  expand: "docs/zero-downtime.md",
  migrate: "docs/zero-downtime.md",
  contract: "docs/zero-downtime.md",
  sync: "docs/zero-downtime.md",
  check: "docs/zero-downtime.md",
  version: "docs/zero-downtime.md",
  version_control: "docs/zero-downtime.md#taking-over-from-sqlalchemy-migrate",
  lint: "docs/lint.md",
  "import-alembic": "docs/alembic.md#importing-import-alembic",
};

/** The pages the top-level help lists. */
const TOP_PAGES = [
  "docs/commands.md (commands, options, targets)",
  "docs/databases.md (URLs, TLS, locking, timeouts)",
  "docs/zero-downtime.md, docs/alembic.md, docs/scripts.md, docs/lint.md",
  "docs/automation.md (--json, exit codes, signals), docs/binary.md",
];

/**
 * Add a "Details:" line to every command's help (and the list of pages to the program's),
 * so `--help` stays a summary. A command missing from {@linkcode HELP_PAGES} is a bug the
 * help test reports.
 */
export function addDocsPointers(program: Command): void {
  program.addHelpText("after", `\nReference (bellows repository):\n  ${TOP_PAGES.join("\n  ")}`);
  for (const c of program.commands) {
    const page = HELP_PAGES[c.name()];
    if (page) c.addHelpText("after", `\nDetails: ${page}`);
  }
}
