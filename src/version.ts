/** bellows' own version, recorded in the audit table and printed by `--version`. */
export const VERSION = "0.1.0";
