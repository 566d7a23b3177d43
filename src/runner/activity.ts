/**
 * What a run is in the middle of, kept up to date by the runner, so that bellows can
 * say in one line what became of the database when a signal stops it (see
 * `src/cli/interrupt.ts`). Pure state; no I/O.
 *
 * @module
 */

/** The runner's account of where it is, in words an operator can act on. */
export class RunActivity {
  #text: string | undefined;

  /**
   * What stopping now leaves behind, e.g. "the upgrade of 'b' (m/b.sql) was not
   * committed; the database rolls it back and stays at a".
   */
  set(text: string): void {
    this.#text = text;
  }

  /** What stopping now leaves behind; before the runner said anything, nothing was changed. */
  get text(): string {
    return this.#text ?? "nothing was changed";
  }
}
