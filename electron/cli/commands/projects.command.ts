import type { Command } from 'commander';
import { notFound } from '../../core/errors';
import { describeBinding, summarizeEnvironment } from '../../core/secrets/environment-binding';
import { table, UsageError, type CliContext } from '../context';

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
      const { projects: all, connections } = await context.core().config.read();
      const found = all.find((candidate) => candidate.name === project);
      if (found === undefined) throw notFound(`There is no project "${project}".`);
      const list = found.environments.map((environment) => summarizeEnvironment(connections, found, environment).summary);
      context.print(command, list, () =>
        table(list.map((environment) => [environment.name, environment.colour, environment.protected ? 'protected' : '', `${environment.backend}${environment.connection === undefined ? '' : ` (${environment.connection})`} · ${environment.location}`])),
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
    .command('bind <project> <name>')
    .description('choose where an environment keeps its secrets: a prefix on a connection, or the local store (secrets are not moved)')
    .option('--connection <name>', 'a connection (latchkey connections ls)')
    .option('--prefix <prefix>', 'where on the connection, e.g. app/staging/ (Vault, AWS) or app-staging- (Azure)', '')
    .option('--local', 'the local encrypted store')
    .option('--yes', 'confirm a change to a protected environment, or an empty prefix (all of the connection)')
    .option('--json', 'machine-readable output')
    .action(async (project: string, name: string, options: { connection?: string; prefix: string; local?: boolean; yes?: boolean }, command: Command) => {
      if ((options.connection === undefined) === (options.local !== true)) throw new UsageError('give either --connection <name> (with --prefix) or --local');
      const binding = options.local === true ? { backend: 'file' as const } : { backend: 'connection' as const, connection: options.connection!, prefix: options.prefix };
      const core = context.core();
      await core.projects.updateEnvironment(project, name, { binding }, { confirmed: options.yes === true });
      const found = await core.projects.find(project, name);
      const described = describeBinding((await core.config.read()).connections, found.project, found.environment);
      context.print(command, { project, name, binding, backend: described.backend, location: described.location }, () => `${project}/${name} now keeps its secrets in ${described.backend} · ${described.location}.`);
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
