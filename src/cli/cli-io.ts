/** Where a CLI command writes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}
