import type { Command } from 'commander';
import type { CommandOutput } from '../core/command-output';
import type { Confirmation } from '../core/environments/confirmation';
import type { CliContext } from './context';
import { readLine } from './io';

/**
 * What the rotation, environment and audit commands share: printing a command core's output with its
 * exit code, and asking for a bulk change's confirmation (--yes, or in a terminal the typed names).
 */
export function printOutput<T>(context: CliContext, command: Command, output: CommandOutput<T>): void {
  context.print(command, output.json, () => output.text);
  if (output.exitCode !== 0) context.exitCode = output.exitCode;
}

/**
 * `--yes`; otherwise, in a terminal, the person types the names of the protected environments (or
 * "yes" when none is protected). Undefined when neither: the core then refuses and says to pass --yes.
 */
export async function askConfirmation(
  context: CliContext,
  yes: boolean | undefined,
  environments: { name: string; protected: boolean }[],
  action: string,
  signal?: AbortSignal,
): Promise<Confirmation | undefined> {
  if (yes === true) return { assumeYes: true };
  const guarded = environments.filter((environment) => environment.protected).map((environment) => environment.name);
  const question = guarded.length === 0 ? `${action}. Type yes to go on: ` : `${action}. ${guarded.join(', ')} ${guarded.length === 1 ? 'is' : 'are'} protected: type ${guarded.length === 1 ? 'its name' : 'their names'} to confirm: `;
  const answer = await readLine(context.io, question, signal);
  if (answer === undefined) return undefined;
  if (guarded.length === 0) return ['y', 'yes'].includes(answer.trim().toLowerCase()) ? { typedNames: [] } : undefined;
  return { typedNames: answer.split(/[\s,]+/).filter((name) => name !== '') };
}
