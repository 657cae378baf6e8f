import type { Core } from '../../core';
import { summarizeEnvironment } from '../../core/secrets/environment-binding';
import type { Handlers } from '../ipc/router';

export function projectsHandlers(deps: { core: Core }): Handlers['projects'] {
  const { projects } = deps.core;
  return {
    list: async () => {
      const { projects: all, connections } = await deps.core.config.read();
      return {
        projects: all.map((project) => ({
          name: project.name,
          createdAt: project.createdAt,
          environments: project.environments.map((environment) => {
            const { summary, features } = summarizeEnvironment(connections, project, environment);
            return { ...summary, binding: environment.binding, features };
          }),
        })),
      };
    },
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
    create: async ({ project, name, colour, protected: isProtected, binding, confirmed }) => {
      await projects.createEnvironment(
        project,
        name,
        {
          ...(colour === undefined ? {} : { colour }),
          ...(isProtected === undefined ? {} : { protected: isProtected }),
          ...(binding === undefined ? {} : { binding }),
        },
        { confirmed },
      );
      return {};
    },
    update: async ({ project, name, changes, confirmed }) => {
      // Only the changes given: an absent field keeps its value.
      const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
      await projects.updateEnvironment(project, name, given, { confirmed });
      return {};
    },
    remove: async ({ project, name, confirmed }) => {
      await projects.deleteEnvironment(project, name, { confirmed });
      return {};
    },
  };
}
