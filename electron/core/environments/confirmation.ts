import { confirmationRequired } from '../errors';

/**
 * Bulk changes are confirmed: by a click (or `--yes`) for ordinary environments, and for a protected
 * environment by typing its name. `assumeYes` is the command line's `--yes`, for runbooks and scripts.
 */
export type Confirmation = { assumeYes: true } | { typedNames: string[] };

export interface ConfirmableEnvironment {
  name: string;
  protected: boolean;
}

export function requireConfirmation(environments: ConfirmableEnvironment[], confirmation: Confirmation | undefined, action: string): void {
  const names = environments.map((environment) => environment.name).join(', ');
  if (confirmation === undefined) {
    throw confirmationRequired(`Confirm ${action} in ${names}${protectedHint(environments)}, or pass --yes.`);
  }
  if ('assumeYes' in confirmation) return;
  const missing = environments.filter((environment) => environment.protected && !confirmation.typedNames.includes(environment.name));
  if (missing.length > 0) {
    throw confirmationRequired(
      `${missing.map((environment) => environment.name).join(', ')} ${missing.length === 1 ? 'is' : 'are'} protected: type ${missing.length === 1 ? 'its name' : 'each name'} to confirm ${action}.`,
    );
  }
}

function protectedHint(environments: ConfirmableEnvironment[]): string {
  const guarded = environments.filter((environment) => environment.protected).map((environment) => environment.name);
  return guarded.length === 0 ? '' : ` (type the name of ${guarded.join(', ')} to confirm)`;
}
