import { basename, isAbsolute } from 'node:path';
import { SECRET_KEY } from '../../../shared/names';
import type { ConfigFile } from '../config/config-file';
import type { EnvironmentView } from '../environments/environment-view';
import { invalidInput, isLatchkeyError, notFound } from '../errors';
import { parseFilePath } from '../secrets/file-backend';
import { parseRef } from '../secrets/reference';
import { checkHookExecutable } from './command/hook-executable';
import type { RotationStrategy, ServiceEndpoint, ServiceKind } from './driver';
import { MAX_GRACE_SECONDS, storedRotatorSchema, type StoredRotator } from './service-config';
import type { ServiceKinds } from './service-kinds';
import type { ServicesRegistry } from './services-registry';
import { codecFor, detectFormat, type ValueFormat } from './value-codecs';

/**
 * Rotator attachments: which secret rotates at which service, with which user, strategy and grace.
 * Kept in config.json keyed by project, environment and key, so they work on every backend; a
 * reference is located in the environment whose secrets it names.
 */
export interface RotatorInput {
  service?: string;
  /** command rotators: the executable's absolute path (the CLI resolves a relative one). */
  command?: string;
  user?: string;
  userB?: string;
  strategy?: RotationStrategy;
  self?: boolean;
  graceSeconds?: number;
  timeoutSeconds?: number;
  format?: ValueFormat;
}

/** A rotator as shown: its secret (reference and place) and how it rotates. */
export interface RotatorView extends StoredRotator {
  ref: string;
  /** Where the service points (postgres 10.0.0.5:5432/app as admin), or the command's path. */
  where: string;
}

export interface LocatedSecret {
  ref: string;
  project: string;
  environment: string;
  key: string;
}

export interface RotatorsDeps {
  config: ConfigFile;
  services: ServicesRegistry;
  kinds: ServiceKinds;
  viewEnvironment(project: string, environment: string): Promise<EnvironmentView>;
}

const PROBE_KEY = 'LATCHKEY_PROBE_KEY';

export function createRotators(deps: RotatorsDeps) {
  const { config, kinds } = deps;

  /** The environment and key a reference names; NotFound when it is not a secret of a configured environment. */
  const locate = async (ref: string): Promise<LocatedSecret> => {
    const parsed = parseRef(ref);
    const projects = (await config.read()).projects;
    if (parsed.scheme === 'file') {
      const { project, environment, key } = parseFilePath(parsed.path);
      if (!projects.some((candidate) => candidate.name === project && candidate.environments.some((env) => env.name === environment))) {
        throw notFound(`There is no environment "${project}/${environment}" (latchkey projects ls lists them).`);
      }
      return { ref, project, environment, key };
    }
    for (const project of projects) {
      for (const environment of project.environments) {
        if (environment.binding.backend === 'file') continue;
        let view: EnvironmentView;
        try {
          view = await deps.viewEnvironment(project.name, environment.name);
        } catch {
          continue;
        }
        if (view.backend.scheme !== parsed.scheme) continue;
        // Where a key lands in this environment: the reference of a probe key, split around it.
        const probe = view.refFor(PROBE_KEY);
        const at = probe.lastIndexOf(PROBE_KEY);
        const [before, after] = [probe.slice(0, at), probe.slice(at + PROBE_KEY.length)];
        if (at < 0 || !ref.startsWith(before) || !ref.endsWith(after)) continue;
        const key = ref.slice(before.length, ref.length - after.length);
        if (SECRET_KEY.test(key) && view.refFor(key) === ref) return { ref, project: project.name, environment: environment.name, key };
      }
    }
    throw notFound(`${ref} is not a secret of any environment Latchkey knows, so no rotator can be attached to it. Use the reference of an environment's secret (latchkey secrets ls).`);
  };

  const refOf = async (rotator: StoredRotator): Promise<string> => {
    try {
      return (await deps.viewEnvironment(rotator.project, rotator.environment)).refFor(rotator.key);
    } catch {
      return `file://${rotator.project}/${rotator.environment}/${rotator.key}`;
    }
  };

  const whereOf = async (rotator: StoredRotator): Promise<string> => {
    if (rotator.command !== undefined) return `command ${rotator.command}`;
    const summary = (await deps.services.list()).find((service) => service.name === rotator.service);
    return summary === undefined ? `${rotator.service ?? '?'} (no such service)` : `${summary.kind} ${summary.name} (${summary.location})`;
  };

  const view = async (rotator: StoredRotator): Promise<RotatorView> => ({ ...rotator, ref: await refOf(rotator), where: await whereOf(rotator) });

  const find = async (secret: Pick<LocatedSecret, 'project' | 'environment' | 'key'>): Promise<StoredRotator | undefined> =>
    (await config.read()).rotators.find((rotator) => rotator.project === secret.project && rotator.environment === secret.environment && rotator.key === secret.key);

  /** The value now stored, for the format check; undefined when the secret has no value yet. */
  const currentValue = async (secret: LocatedSecret): Promise<string | undefined> => {
    const environment = await deps.viewEnvironment(secret.project, secret.environment);
    try {
      return (await environment.backend.get(parseRef(secret.ref).path)).value;
    } catch (error) {
      if (isLatchkeyError(error) && error.kind === 'NotFound') return undefined;
      throw error;
    }
  };

  const validate = async (secret: LocatedSecret, input: RotatorInput): Promise<StoredRotator> => {
    if ((input.service === undefined) === (input.command === undefined)) throw invalidInput('A rotator names either a service (--service NAME) or a command (--command PATH).');
    let kind: ServiceKind = 'command';
    if (input.service !== undefined) kind = (await deps.services.open(input.service)).kind;
    else {
      if (!isAbsolute(input.command!)) throw invalidInput("A command rotator needs the executable's absolute path.");
      await checkHookExecutable(input.command!);
    }
    const driver = kinds.driver(kind);
    const strategy = input.strategy ?? driver.strategies[0]!;
    if (!driver.strategies.includes(strategy)) throw invalidInput(`A ${kind} rotator supports the strategies ${driver.strategies.join(', ')}; not ${strategy}.`);
    if (input.self === true && !driver.selfMode) throw invalidInput(`A ${kind} credential cannot change itself; attach the rotator without --self, to a service with an admin credential.`);
    if (kind !== 'command' && input.user === undefined) throw invalidInput(`Name the ${kind === 'postgres' ? 'role (--role)' : 'user (--user)'} whose credential this secret holds.`);
    if (strategy === 'alternating') {
      if (input.userB === undefined || input.userB === input.user) throw invalidInput('Alternating users need a second user that differs from the first (--role-b / --user-b).');
      if (input.self === true) throw invalidInput('Alternating users are changed by an admin: one user cannot set the other\'s password. Leave out --self.');
    } else if (input.userB !== undefined) {
      throw invalidInput('A second user (--role-b) goes with --strategy alternating.');
    }
    const grace = input.graceSeconds ?? 0;
    if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) throw invalidInput(`A grace period is a whole number of seconds from 0 to ${MAX_GRACE_SECONDS} (30 days).`);
    if (grace > 0 && strategy === 'single') {
      throw invalidInput(`A single-user rotation has no grace period: the old password stops working when the new one is set. Use --strategy ${driver.strategies.find((other) => other !== 'single') ?? 'alternating'} for a grace period.`);
    }
    const value = await currentValue(secret);
    const detected = value === undefined ? undefined : detectFormat(value);
    const format = input.format ?? detected ?? 'password';
    if (value !== undefined) {
      // The stored value must be in the chosen format, and hold the user the rotator changes.
      const credential = codecFor(format).read(value);
      if (strategy === 'alternating' && format === 'password') throw invalidInput('Alternating users need a value that holds the user name too: a URL or a JSON object.');
      if (credential.user !== undefined && input.user !== undefined && kind !== 'aws-iam') {
        const allowed = strategy === 'alternating' ? [input.user, input.userB] : [input.user];
        if (!allowed.includes(credential.user)) throw invalidInput(`The stored value logs in as another user than ${allowed.join(' or ')}; attach the rotator to the user the value holds.`);
      }
    } else if (strategy === 'alternating' && format === 'password') {
      throw invalidInput('Alternating users need a value that holds the user name too: give --format url or json.');
    }
    return storedRotatorSchema.parse({
      project: secret.project,
      environment: secret.environment,
      key: secret.key,
      kind,
      ...(input.service === undefined ? {} : { service: input.service }),
      ...(input.command === undefined ? {} : { command: input.command }),
      format,
      strategy,
      ...(input.user === undefined ? {} : { user: input.user }),
      ...(input.userB === undefined ? {} : { userB: input.userB }),
      self: input.self === true,
      graceSeconds: grace,
      ...(input.timeoutSeconds === undefined ? {} : { timeoutSeconds: input.timeoutSeconds }),
    });
  };

  return {
    locate,
    find,
    /** Every rotator as stored (cheap: no backend is opened). */
    stored: async (): Promise<StoredRotator[]> => (await config.read()).rotators,

    /** The rotator `input` would attach, checked as `set` checks it, without attaching it (the app's Test before Save). */
    async draft(ref: string, input: RotatorInput): Promise<{ secret: LocatedSecret; rotator: StoredRotator }> {
      const secret = await locate(ref);
      return { secret, rotator: await validate(secret, input) };
    },

    /** Attaches (or replaces) the rotator of a secret. */
    async set(ref: string, input: RotatorInput): Promise<RotatorView> {
      const secret = await locate(ref);
      const rotator = await validate(secret, input);
      await config.update((current) => {
        if (rotator.service !== undefined && !current.services.some((service) => service.name === rotator.service)) throw notFound(`There is no service named "${rotator.service}".`);
        current.rotators = current.rotators.filter((other) => !(other.project === rotator.project && other.environment === rotator.environment && other.key === rotator.key));
        current.rotators.push(rotator);
      });
      return view(rotator);
    },

    async show(ref: string): Promise<RotatorView> {
      const secret = await locate(ref);
      const rotator = await find(secret);
      if (rotator === undefined) throw notFound(`${ref} has no rotator: rotating it changes the stored copy only (latchkey rotators set attaches one).`);
      return view(rotator);
    },

    async list(filter: { project?: string } = {}): Promise<RotatorView[]> {
      const rotators = (await config.read()).rotators.filter((rotator) => filter.project === undefined || rotator.project === filter.project);
      return Promise.all(rotators.map(view));
    },

    async remove(ref: string): Promise<void> {
      const secret = await locate(ref);
      // Refused inside the update, so a secret without a rotator leaves config.json untouched.
      await config.update((current) => {
        const kept = current.rotators.filter((rotator) => !(rotator.project === secret.project && rotator.environment === secret.environment && rotator.key === secret.key));
        if (kept.length === current.rotators.length) throw notFound(`${ref} has no rotator.`);
        current.rotators = kept;
      });
    },

    /** The endpoint a rotator works on: its registered service, or for a command its executable. */
    async endpointOf(rotator: StoredRotator): Promise<ServiceEndpoint> {
      if (rotator.service !== undefined) return deps.services.open(rotator.service);
      return { name: endpointName(rotator), kind: 'command', settings: {} };
    },
  };
}

export type Rotators = ReturnType<typeof createRotators>;

/** How results name where a rotator changes the credential: the service, or `command:<file name>`. */
export function endpointName(rotator: Pick<StoredRotator, 'service' | 'command'>): string {
  if (rotator.service !== undefined) return rotator.service;
  // Named after the executable, where its file name fits the audit trail's alphabet.
  const file = basename(rotator.command ?? '');
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(file) ? `command:${file}` : 'command';
}
