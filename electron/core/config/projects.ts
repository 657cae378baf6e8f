import { ENVIRONMENT_NAME, PROJECT_NAME, nameRules } from '../../../shared/names';
import { confirmationRequired, conflict, invalidInput, notFound } from '../errors';
import { connectionBindingPaths } from '../secrets/binding-paths';
import type { EnvironmentLocator } from '../secrets/file-backend';
import { COLOUR, newEnvironmentId, type ConfigFile, type EnvironmentBinding, type EnvironmentConfig, type LatchkeyConfig, type ProjectConfig } from './config-file';

/**
 * Projects and their environments (dev, staging, prod …). An environment has a colour, a "protected"
 * flag (writes to it need an explicit confirmation) and a binding to the backend that stores its
 * secrets.
 */
export interface EnvironmentChanges {
  name?: string;
  colour?: string;
  protected?: boolean;
  /** Where its secrets live; existing secrets are not moved. */
  binding?: EnvironmentBinding;
}

export interface Confirmation {
  /** The person confirmed a change to a protected environment or a deletion. */
  confirmed?: boolean;
}

const DEFAULT_COLOURS: Record<string, string> = {
  dev: '#16a34a',
  development: '#16a34a',
  local: '#0891b2',
  test: '#0891b2',
  staging: '#d97706',
  stage: '#d97706',
  qa: '#7c3aed',
  prod: '#dc2626',
  production: '#dc2626',
};
const PRODUCTION = new Set(['prod', 'production', 'live']);

export function defaultEnvironment(name: string, now: Date): EnvironmentConfig {
  const lower = name.toLowerCase();
  return {
    id: newEnvironmentId(),
    name,
    colour: DEFAULT_COLOURS[lower] ?? '#475569',
    protected: PRODUCTION.has(lower),
    binding: { backend: 'file' },
    createdAt: now.toISOString(),
  };
}

export interface ProjectsServiceOptions {
  config: ConfigFile;
  now?: () => Date;
  /** Removes an environment's local store when it is deleted. */
  onEnvironmentDeleted?: (environment: EnvironmentConfig) => Promise<void>;
}

export function createProjectsService(options: ProjectsServiceOptions) {
  const { config } = options;
  const now = options.now ?? (() => new Date());

  const checkProjectName = (name: string) => {
    if (!PROJECT_NAME.test(name)) throw invalidInput(`"${name.slice(0, 80)}" is not a valid project name: use ${nameRules.project}.`);
  };
  const checkEnvironmentName = (name: string) => {
    if (!ENVIRONMENT_NAME.test(name)) throw invalidInput(`"${name.slice(0, 80)}" is not a valid environment name: use ${nameRules.environment}.`);
  };
  const findProject = (current: LatchkeyConfig, name: string): ProjectConfig => {
    const project = current.projects.find((candidate) => candidate.name === name);
    if (project === undefined) throw notFound(`There is no project "${name}". Create it first (latchkey projects create ${name}).`);
    return project;
  };
  const findEnvironment = (project: ProjectConfig, name: string): EnvironmentConfig => {
    const environment = project.environments.find((candidate) => candidate.name === name);
    if (environment === undefined) throw notFound(`Project "${project.name}" has no environment "${name}".`);
    return environment;
  };
  const addProject = (current: LatchkeyConfig, name: string): ProjectConfig => {
    checkProjectName(name);
    if (current.projects.some((candidate) => candidate.name === name)) throw conflict(`A project named "${name}" already exists.`);
    const project: ProjectConfig = { name, createdAt: now().toISOString(), environments: [] };
    current.projects.push(project);
    current.projects.sort((a, b) => a.name.localeCompare(b.name));
    return project;
  };
  /**
   * A connection binding must name an existing connection and a prefix its backend can use. An empty
   * prefix points the environment at everything on the connection (the whole Vault mount, every AWS
   * secret of the account and region): it then lists all of it and its deletes reach all of it, so
   * it needs a confirmation.
   */
  const checkBinding = (current: LatchkeyConfig, where: string, binding: EnvironmentBinding | undefined, confirmation: Confirmation) => {
    if (binding === undefined || binding.backend === 'file') return;
    const stored = current.connections.find((candidate) => candidate.name === binding.connection);
    if (stored === undefined) throw notFound(`There is no connection named "${binding.connection}". Add it in Connections first.`);
    connectionBindingPaths(stored.connection, binding.prefix);
    if (binding.prefix === '' && confirmation.confirmed !== true) {
      throw confirmationRequired(
        `With no prefix, ${where} would keep its secrets at the top of "${binding.connection}": it would list every secret there, and deleting in ${where} would delete there. Give a prefix (such as app/staging/), or confirm to use all of "${binding.connection}".`,
      );
    }
  };
  const addEnvironment = (project: ProjectConfig, name: string, changes: Omit<EnvironmentChanges, 'name'> = {}): EnvironmentConfig => {
    checkEnvironmentName(name);
    if (project.environments.some((candidate) => candidate.name === name)) {
      throw conflict(`Project "${project.name}" already has an environment named "${name}".`);
    }
    if (changes.colour !== undefined && !COLOUR.test(changes.colour)) throw invalidInput('A colour is written #rrggbb (lower-case hex).');
    const environment = { ...defaultEnvironment(name, now()), ...changes };
    project.environments.push(environment);
    return environment;
  };

  return {
    list: async (): Promise<ProjectConfig[]> => (await config.read()).projects,

    async find(project: string, environment: string): Promise<{ project: ProjectConfig; environment: EnvironmentConfig }> {
      const owner = findProject(await config.read(), project);
      return { project: owner, environment: findEnvironment(owner, environment) };
    },

    createProject: (name: string) => config.update((current) => addProject(current, name)),

    async renameProject(name: string, newName: string) {
      checkProjectName(newName);
      return config.update((current) => {
        const project = findProject(current, name);
        if (current.projects.some((candidate) => candidate.name === newName)) throw conflict(`A project named "${newName}" already exists.`);
        project.name = newName;
        // Rotators are keyed by project/environment/key: they follow the rename.
        for (const rotator of current.rotators) if (rotator.project === name) rotator.project = newName;
        current.projects.sort((a, b) => a.name.localeCompare(b.name));
        return project;
      });
    },

    async deleteProject(name: string, confirmation: Confirmation) {
      if (confirmation.confirmed !== true) {
        throw confirmationRequired(`Deleting project "${name}" deletes every secret of its environments in the local store. Confirm to go on.`);
      }
      const removed = await config.update((current) => {
        const project = findProject(current, name);
        current.projects = current.projects.filter((candidate) => candidate !== project);
        current.rotators = current.rotators.filter((rotator) => rotator.project !== name);
        return project;
      });
      for (const environment of removed.environments) await options.onEnvironmentDeleted?.(environment);
    },

    createEnvironment: (project: string, name: string, changes: Omit<EnvironmentChanges, 'name'> = {}, confirmation: Confirmation = {}) =>
      config.update((current) => {
        checkBinding(current, `${project}/${name}`, changes.binding, confirmation);
        return addEnvironment(findProject(current, project), name, changes);
      }),

    async updateEnvironment(project: string, name: string, changes: EnvironmentChanges, confirmation: Confirmation) {
      if (changes.name !== undefined) checkEnvironmentName(changes.name);
      if (changes.colour !== undefined && !COLOUR.test(changes.colour)) throw invalidInput('A colour is written #rrggbb (lower-case hex).');
      return config.update((current) => {
        const owner = findProject(current, project);
        const environment = findEnvironment(owner, name);
        // Lifting protection is itself a change to a protected environment.
        if (environment.protected && confirmation.confirmed !== true) {
          throw confirmationRequired(`"${project}/${name}" is protected. Confirm to change its settings.`);
        }
        if (changes.name !== undefined && changes.name !== name && owner.environments.some((candidate) => candidate.name === changes.name)) {
          throw conflict(`Project "${project}" already has an environment named "${changes.name}".`);
        }
        const rebinding = changes.binding !== undefined && JSON.stringify(changes.binding) !== JSON.stringify(environment.binding);
        checkBinding(current, `${project}/${name}`, rebinding ? changes.binding : undefined, confirmation);
        if (changes.name !== undefined && changes.name !== name) {
          for (const rotator of current.rotators) if (rotator.project === project && rotator.environment === name) rotator.environment = changes.name;
        }
        Object.assign(environment, changes);
        return environment;
      });
    },

    async deleteEnvironment(project: string, name: string, confirmation: Confirmation) {
      if (confirmation.confirmed !== true) {
        throw confirmationRequired(`Deleting "${project}/${name}" deletes its secrets in the local store. Confirm to go on.`);
      }
      const removed = await config.update((current) => {
        const owner = findProject(current, project);
        const environment = findEnvironment(owner, name);
        owner.environments = owner.environments.filter((candidate) => candidate !== environment);
        current.rotators = current.rotators.filter((rotator) => rotator.project !== project || rotator.environment !== name);
        return environment;
      });
      await options.onEnvironmentDeleted?.(removed);
    },

    /** Resolves `<project>/<environment>` of file references to environment ids. */
    locator(): EnvironmentLocator {
      return {
        async find(project, environment) {
          return findEnvironment(findProject(await config.read(), project), environment).id;
        },
        async findOrCreate(project, environment) {
          const existing = (await config.read()).projects
            .find((candidate) => candidate.name === project)
            ?.environments.find((candidate) => candidate.name === environment);
          if (existing !== undefined) return existing.id;
          return config.update((current) => {
            const owner = current.projects.find((candidate) => candidate.name === project) ?? addProject(current, project);
            return (owner.environments.find((candidate) => candidate.name === environment) ?? addEnvironment(owner, environment)).id;
          });
        },
        async all() {
          return (await config.read()).projects.flatMap((project) =>
            project.environments.map((environment) => ({ id: environment.id, project: project.name, environment: environment.name })),
          );
        },
      };
    },
  };
}

export type ProjectsService = ReturnType<typeof createProjectsService>;
