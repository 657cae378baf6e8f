import type { Command } from 'commander';
import { notFound } from '../../core/errors';
import { table, type CliContext } from '../context';

/** `latchkey projects …` and `latchkey envs …` — the projects and environments the app shows. */
export function registerProjects(program: Command, context: CliContext): void {
  const projects = program.command('projects').description('projects and their environments');

  projects
    .command('ls')
    .description('list projects with their environments')
    .option('--json', 'machine-readable output')
    .action(async (_options: unknown, command: Command) => {
      const list = await context.core().projects.list();
      const view = list.map((project) => ({
        name: project.name,
        environments: project.environments.map((environment) => ({ name: environment.name, protected: environment.protected, colour: environment.colour, backend: environment.binding.backend })),
      }));
      context.print(command, view, () =>
        table(view.map((project) => [project.name, project.environments.map((environment) => `${environment.name}${environment.protected ? ' (protected)' : ''}`).join(', ')])),
      );
    });

  projects
    .command('create <name>')
    .description('create a project, optionally with environments')
    .option('--env <name...>', 'environments to create with it (e.g. --env dev staging prod)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { env?: string[] }, command: Command) => {
      const core = context.core();
      await core.projects.createProject(name);
      for (const environment of options.env ?? []) await core.projects.createEnvironment(name, environment);
      context.print(command, { name, environments: options.env ?? [] }, () => `Created project ${name}.`);
    });

  projects
    .command('rename <name> <new-name>')
    .description('rename a project (its secrets stay where they are)')
    .action(async (name: string, newName: string, _options: unknown, command: Command) => {
      await context.core().projects.renameProject(name, newName);
      context.print(command, { name: newName }, () => `Renamed ${name} to ${newName}.`);
    });

  projects
    .command('rm <name>')
    .description('delete a project and the secrets its environments keep in the local store')
    .option('--yes', 'confirm the deletion')
    .action(async (name: string, options: { yes?: boolean }, command: Command) => {
      await context.core().projects.deleteProject(name, { confirmed: options.yes === true });
      context.print(command, { name, deleted: true }, () => `Deleted project ${name}.`);
    });

  const envs = program.command('envs').description("a project's environments");

  envs
    .command('ls <project>')
    .description('list the environments of a project')
    .option('--json', 'machine-readable output')
    .action(async (project: string, _options: unknown, command: Command) => {
      const found = (await context.core().projects.list()).find((candidate) => candidate.name === project);
      if (found === undefined) throw notFound(`There is no project "${project}".`);
      const list = found.environments;
      context.print(command, list.map(({ name, colour, protected: isProtected }) => ({ name, colour, protected: isProtected })), () =>
        table(list.map((environment) => [environment.name, environment.colour, environment.protected ? 'protected' : ''])),
      );
    });

  envs
    .command('create <project> <name>')
    .description('add an environment (prod and production are protected by default)')
    .option('--colour <hex>', 'a colour, #rrggbb')
    .option('--protected', 'writes need confirmation')
    .option('--unprotected', 'writes need no confirmation')
    .action(async (project: string, name: string, options: { colour?: string; protected?: boolean; unprotected?: boolean }, command: Command) => {
      const environment = await context.core().projects.createEnvironment(project, name, {
        ...(options.colour === undefined ? {} : { colour: options.colour }),
        ...(options.protected === true ? { protected: true } : options.unprotected === true ? { protected: false } : {}),
      });
      context.print(command, { name: environment.name, colour: environment.colour, protected: environment.protected }, () => `Created ${project}/${name}.`);
    });

  envs
    .command('update <project> <name>')
    .description('rename an environment or change its colour or protection')
    .option('--rename <new-name>', 'a new name')
    .option('--colour <hex>', 'a colour, #rrggbb')
    .option('--protected', 'writes need confirmation')
    .option('--unprotected', 'writes need no confirmation')
    .option('--yes', 'confirm a change to a protected environment')
    .action(async (project: string, name: string, options: { rename?: string; colour?: string; protected?: boolean; unprotected?: boolean; yes?: boolean }, command: Command) => {
      const environment = await context.core().projects.updateEnvironment(
        project,
        name,
        {
          ...(options.rename === undefined ? {} : { name: options.rename }),
          ...(options.colour === undefined ? {} : { colour: options.colour }),
          ...(options.protected === true ? { protected: true } : options.unprotected === true ? { protected: false } : {}),
        },
        { confirmed: options.yes === true },
      );
      context.print(command, { name: environment.name, colour: environment.colour, protected: environment.protected }, () => `Updated ${project}/${environment.name}.`);
    });

  envs
    .command('rm <project> <name>')
    .description('delete an environment and the secrets it keeps in the local store')
    .option('--yes', 'confirm the deletion')
    .action(async (project: string, name: string, options: { yes?: boolean }, command: Command) => {
      await context.core().projects.deleteEnvironment(project, name, { confirmed: options.yes === true });
      context.print(command, { project, name, deleted: true }, () => `Deleted ${project}/${name}.`);
    });
}
