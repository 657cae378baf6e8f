import type { RunVariable } from './run-variables';

/**
 * The environment a program starts with: Latchkey's own (what the shell gave it) plus the secrets. A
 * secret replaces an inherited variable of the same name, unless --no-override keeps the inherited
 * one (then the secret is not handed out at all). Built as a new object: Latchkey never puts a value
 * into its own process.env, where other code in the process could read it.
 */
export interface ChildEnvironment {
  env: Record<string, string>;
  /** The variables given to the program (secrets and env-file lines), by name. */
  given: RunVariable[];
  /** Names whose inherited value was kept (--no-override). */
  kept: string[];
}

export function buildChildEnvironment(parent: Readonly<Record<string, string | undefined>>, variables: readonly RunVariable[], options: { override: boolean }): ChildEnvironment {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) if (value !== undefined) env[name] = value;
  const given: RunVariable[] = [];
  const kept: string[] = [];
  for (const variable of variables) {
    if (!options.override && env[variable.name] !== undefined) {
      kept.push(variable.name);
      continue;
    }
    env[variable.name] = variable.value;
    given.push(variable);
  }
  return { env, given, kept: kept.sort() };
}
