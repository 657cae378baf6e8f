import type { Core } from '../../core';
import type { EnvironmentConfig, ProjectConfig } from '../../core/config/config-file';
import type { Handlers } from '../ipc/router';

function describeBinding(project: ProjectConfig, environment: EnvironmentConfig) {
  return { backend: 'Local encrypted store', location: `file://${project.name}/${environment.name}/` };
}

export function projectsHandlers(deps: { core: Core }): Handlers['projects'] {
  const { projects } = deps.core;
  return {
    list: async () => ({
      projects: (await projects.list()).map((project) => ({
        name: project.name,
        createdAt: project.createdAt,
        environments: project.environments.map((environment) => ({
          name: environment.name,
          colour: environment.colour,
          protected: environment.protected,
          ...describeBinding(project, environment),
        })),
      })),
    }),
    create: async ({ name }) => {
      await projects.createProject(name);
      return {};
    },
    rename: async ({ name, newName }) => {
      await projects.renameProject(name, newName);
      return {};
    },
    remove: async ({ name, confirmed }) => {
      await projects.deleteProject(name, { confirmed });
      return {};
    },
  };
}

export function environmentsHandlers(deps: { core: Core }): Handlers['environments'] {
  const { projects } = deps.core;
  return {
    create: async ({ project, name, colour, protected: isProtected }) => {
      await projects.createEnvironment(project, name, {
        ...(colour === undefined ? {} : { colour }),
        ...(isProtected === undefined ? {} : { protected: isProtected }),
      });
      return {};
    },
    update: async ({ project, name, changes, confirmed }) => {
      await projects.updateEnvironment(project, name, changes, { confirmed });
      return {};
    },
    remove: async ({ project, name, confirmed }) => {
      await projects.deleteEnvironment(project, name, { confirmed });
      return {};
    },
  };
}
