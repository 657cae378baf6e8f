import type { Core } from '../../electron/core';
import type { CliRun } from '../integration/cli/run-cli';

/**
 * The no-leak registry. An area (secrets, lock, sessions, rotation …) adds a file
 * `test/leaks/operations/<area>.leaks.ts` exporting `operations: LeakOperation[]`; the no-leak suite
 * (test/integration/security/no-leaks.test.ts) runs each against a fresh app — real core on real files,
 * the real router, a clipboard — with unique canary values, then searches every place a value must never
 * reach: log lines, IPC answers and thrown error messages (except an answer that is meant to carry the
 * value, like reveal's), every file under the app's folders (as bytes), the keychain, the clipboard once
 * cleared, and the command line and environment of CLI processes while they run.
 */
export interface LeakContext {
  core: Core;
  /** A fresh canary value (unique, recognisable); every canary made is searched for afterwards. */
  canary(label: string): string;
  /** Calls main through the real router from the app's window. The answer is searched unless `carriesValue`. */
  call(channel: string, payload: unknown, options?: { carriesValue?: boolean }): Promise<{ ok: boolean; value?: unknown; error?: { kind: string; message: string } }>;
  /** Runs `work`, expecting it to fail; its error's message (and causes' messages) are searched. Returns the error. */
  failing(work: () => Promise<unknown>): Promise<{ kind?: string; message: string }>;
  /**
   * Runs the built `latchkey` CLI; its command line, environment and those of its children are searched
   * while it runs, and its stderr after. `childEnvironmentCarriesValue`: the CLI starts a program whose
   * environment holds the values on purpose (`latchkey run`); that environment is not searched, its
   * command line and latchkey's own command line and environment still are.
   */
  cli(args: string[], options?: { input?: string; stdoutCarriesValue?: boolean; argumentsCarryValue?: boolean; childEnvironmentCarriesValue?: boolean }): Promise<CliRun>;
  /** What the clipboard holds now (main writes it on copy). */
  clipboard(): string;
  /** Fires the clipboard's pending clear, as its timer would. */
  clearClipboardNow(): Promise<void>;
  /** The paths of the app's folders (for operations that damage a file on purpose). */
  stateDir: string;
  configDir: string;
  /** Adds text of another kind to the searched places (an audit entry, a report …). */
  observe(place: string, text: string): void;
}

export interface LeakOperation {
  /** What is done, e.g. "reveal, then auto-hide". */
  name: string;
  run(context: LeakContext): Promise<void>;
}
