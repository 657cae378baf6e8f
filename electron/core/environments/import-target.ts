import { ENVIRONMENT_NAME, PROJECT_NAME, nameRules } from '../../../shared/names';
import { defaultEnvironment } from '../config/projects';
import { invalidInput } from '../errors';
import type { SecretBackend } from '../secrets/backend';
import { requireConfirmation, type Confirmation } from './confirmation';
import { environmentOverBackend, type EnvironmentView } from './environment-view';

/**
 * Where an import (.env, Mycelium) writes: one rule with `secrets set file://p/e/K`, which creates the
 * project and environment it names — an import into a new project or environment creates it too
 * (file-bound, with the name's default protection: `prod` is protected, so it still needs its name typed
 * or --yes). A preview creates nothing: it shows the new environment as empty.
 */
export interface ImportTargets {
  /** The environment as it is, or as an import would create it (empty, in the local store). */
  planned(project: string, environment: string): Promise<EnvironmentView>;
  /** The environment to write to, created when missing — after the confirmation a protected one needs. */
  forWrite(project: string, environment: string, confirmation: Confirmation | undefined): Promise<EnvironmentView>;
}

export interface ImportTargetDeps {
  viewEnvironment(project: string, environment: string): Promise<EnvironmentView>;
  exists(project: string, environment: string): Promise<boolean>;
  /** Creates the project and environment (file-bound) when missing (the file store's locator). */
  create(project: string, environment: string): Promise<unknown>;
  fileBackend: SecretBackend;
  now: () => Date;
}

export function createImportTargets(deps: ImportTargetDeps): ImportTargets {
  /** The view, or undefined when the project or environment does not exist. */
  const existing = async (project: string, environment: string): Promise<EnvironmentView | undefined> =>
    (await deps.exists(project, environment)) ? deps.viewEnvironment(project, environment) : undefined;
  const planned = async (project: string, environment: string): Promise<EnvironmentView> => {
    const found = await existing(project, environment);
    if (found !== undefined) return found;
    if (!PROJECT_NAME.test(project)) throw invalidInput(`"${project.slice(0, 80)}" is not a valid project name: use ${nameRules.project}.`);
    if (!ENVIRONMENT_NAME.test(environment)) throw invalidInput(`"${environment.slice(0, 80)}" is not a valid environment name: use ${nameRules.environment}.`);
    const prefix = `${project}/${environment}/`;
    return environmentOverBackend({ project, name: environment, protected: defaultEnvironment(environment, deps.now()).protected, backend: deps.fileBackend, scheme: 'file', prefix });
  };
  return {
    planned,
    async forWrite(project, environment, confirmation) {
      const found = await existing(project, environment);
      if (found !== undefined) return found;
      const next = await planned(project, environment);
      if (next.protected) requireConfirmation([next], confirmation, `creating ${project}/${environment} and importing into it`);
      await deps.create(project, environment);
      return deps.viewEnvironment(project, environment);
    },
  };
}
