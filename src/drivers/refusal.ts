/**
 * Recognising a database's refusal of a privilege, on every dialect, without a connection
 * (the state layer meets these errors where it has no driver at hand).
 *
 * @module
 */

/**
 * Did the database refuse this role a privilege (PostgreSQL SQLSTATE 42501; SQLite: the
 * file is read-only to this process)? Then what the operator must fix is the role's grants
 * or the file's mode, as for a refused login, not the scripts or the recorded state.
 */
export function isPrivilegeRefusal(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  if (e?.code === "42501") return true;
  return e?.code === "ERR_SQLITE_ERROR" &&
    /^attempt to write a readonly database/.test(String(e.message));
}
