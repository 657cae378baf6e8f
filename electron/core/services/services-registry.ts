import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ConfigFile } from '../config/config-file';
import { conflict, confirmationRequired, invalidInput, notFound } from '../errors';
import type { Keychain } from '../keychain';
import type { CheckStep, Credential, ServiceEndpoint, ServiceKind } from './driver';
import { registeredServiceKinds, SERVICE_NAME, SERVICE_NAME_RULE, type StoredService } from './service-config';
import type { ServiceKinds } from './service-kinds';

/**
 * The services registry: where credentials are checked. Settings go to config.json; the admin
 * credential (from an admin URL read on stdin, never from an argument) goes to the OS keychain under
 * service `latchkey-services`, and is never shown again — a summary says only "stored" or "not set".
 */
export const SERVICES_KEYCHAIN_SERVICE = 'latchkey-services';

const credentialSchema = z.strictObject({ user: z.string().min(1).max(1024).optional(), secret: z.string().min(1).max(65_536) });

export interface ServiceSummary {
  name: string;
  kind: ServiceKind;
  /** Where it points (host, port, database, admin user); never a credential. */
  location: string;
  /** Its settings as its kind's schema reads them (never a credential; empty when they are not valid). */
  settings: Record<string, unknown>;
  credentials: 'stored' | 'not set';
  /** The secrets that rotate at this service. */
  rotators: { project: string; environment: string; key: string }[];
}

/** What `services add|update` takes: an admin URL (from stdin) and/or settings as JSON. */
export interface ServiceInput {
  url?: string;
  settings?: Record<string, unknown>;
}

export function createServicesRegistry(deps: { config: ConfigFile; keychain: Keychain; kinds: ServiceKinds }) {
  const { config, keychain, kinds } = deps;

  const find = async (name: string): Promise<StoredService> => {
    const found = (await config.read()).services.find((service) => service.name === name);
    if (found === undefined) throw notFound(`There is no service named "${name}" (latchkey services ls lists them).`);
    return found;
  };

  const settingsOf = (stored: Pick<StoredService, 'name' | 'kind' | 'settings'>): unknown => {
    const parsed = kinds.definition(stored.kind).settingsSchema.safeParse(stored.settings);
    if (!parsed.success) {
      const where = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'settings'} ${issue.message}`).join('; ');
      throw invalidInput(`The settings of service ${stored.name} are not valid: ${where}.`);
    }
    return parsed.data;
  };

  /** Settings and admin credential from the input: a URL is split by the kind; JSON settings are merged over it. */
  const interpret = (name: string, kind: ServiceKind, input: ServiceInput): { settings: Record<string, unknown>; admin?: Credential } => {
    const definition = kinds.definition(kind);
    let fromUrl: { settings: unknown; admin?: Credential } | undefined;
    if (input.url !== undefined) {
      if (definition.fromUrl === undefined) throw invalidInput(`A ${kind} service takes no URL; give its settings instead.`);
      let url: URL;
      try {
        url = new URL(input.url.trim());
      } catch {
        // Never quote the input: it holds a password.
        throw invalidInput(`The ${kind} admin URL is not a valid URL.`);
      }
      try {
        fromUrl = definition.fromUrl(url);
      } catch (error) {
        const reason = error instanceof z.ZodError ? error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ') : error instanceof TypeError ? error.message : 'it could not be read';
        throw invalidInput(`The ${kind} admin URL is not usable: ${reason}.`);
      }
    }
    const settings = { ...(fromUrl?.settings as Record<string, unknown> | undefined), ...input.settings };
    settingsOf({ name, kind, settings });
    return { settings, ...(fromUrl?.admin === undefined ? {} : { admin: fromUrl.admin }) };
  };

  const summaries = async (): Promise<ServiceSummary[]> => {
    const current = await config.read();
    return Promise.all(
      current.services.map(async (service) => {
        let location: string;
        let settings: Record<string, unknown> = {};
        try {
          const parsed = settingsOf(service);
          location = kinds.definition(service.kind).describe(parsed as never);
          settings = parsed as Record<string, unknown>;
        } catch {
          location = 'settings not valid';
        }
        const stored = service.credentialsAccount === undefined ? null : await keychain.getPassword(SERVICES_KEYCHAIN_SERVICE, service.credentialsAccount);
        return {
          name: service.name,
          kind: service.kind,
          location,
          settings,
          credentials: stored === null ? ('not set' as const) : ('stored' as const),
          rotators: current.rotators.filter((rotator) => rotator.service === service.name).map(({ project, environment, key }) => ({ project, environment, key })),
        };
      }),
    );
  };

  const summary = async (name: string) => (await summaries()).find((service) => service.name === name)!;

  const storeAdmin = async (admin: Credential | undefined, account: string | undefined): Promise<string | undefined> => {
    if (admin === undefined) return account;
    const next = account ?? `service:${randomUUID()}`;
    await keychain.setPassword(SERVICES_KEYCHAIN_SERVICE, next, JSON.stringify(admin));
    return next;
  };

  return {
    list: summaries,

    async add(name: string, kind: ServiceKind, input: ServiceInput): Promise<ServiceSummary> {
      if (!SERVICE_NAME.test(name)) throw invalidInput(`"${name.slice(0, 80)}" is not a valid service name: use ${SERVICE_NAME_RULE}.`);
      if (!(registeredServiceKinds as readonly string[]).includes(kind)) {
        throw invalidInput(kind === 'command' ? 'A command rotator needs no service: latchkey rotators set REF --command PATH.' : `Unknown service kind "${kind}".`);
      }
      if ((await config.read()).services.some((service) => service.name === name)) throw conflict(`A service named "${name}" already exists (latchkey services update changes it).`);
      const { settings, admin } = interpret(name, kind, input);
      const account = await storeAdmin(admin, undefined);
      try {
        await config.update((current) => {
          if (current.services.some((service) => service.name === name)) throw conflict(`A service named "${name}" already exists.`);
          current.services.push({ name, kind, settings, ...(account === undefined ? {} : { credentialsAccount: account }) });
        });
      } catch (error) {
        if (account !== undefined) await keychain.deletePassword(SERVICES_KEYCHAIN_SERVICE, account).catch(() => undefined);
        throw error;
      }
      return summary(name);
    },

    /** Replaces the settings (and, with a URL holding one, the admin credential) of a service. */
    async update(name: string, input: ServiceInput): Promise<ServiceSummary> {
      const stored = await find(name);
      const { settings, admin } = interpret(name, stored.kind, {
        ...(input.url === undefined ? {} : { url: input.url }),
        settings: { ...(input.url === undefined ? stored.settings : {}), ...input.settings },
      });
      const account = await storeAdmin(admin, stored.credentialsAccount);
      await config.update((current) => {
        const service = current.services.find((candidate) => candidate.name === name);
        if (service === undefined) throw notFound(`There is no service named "${name}".`);
        service.settings = settings;
        if (account !== undefined) service.credentialsAccount = account;
      });
      return summary(name);
    },

    /** Removes a service and its stored credential; refused while rotators use it. */
    async remove(name: string, confirmation: { confirmed?: boolean } = {}): Promise<void> {
      const stored = await find(name);
      const users = (await config.read()).rotators.filter((rotator) => rotator.service === name);
      if (users.length > 0) {
        throw conflict(`${name} is used by the rotators of ${users.map((rotator) => `${rotator.project}/${rotator.environment}/${rotator.key}`).join(', ')}; remove them first (latchkey rotators rm REF).`);
      }
      if (confirmation.confirmed !== true) throw confirmationRequired(`Removing service ${name} also deletes its admin credential from the keychain. Confirm to go on (--yes).`);
      await config.update((current) => {
        current.services = current.services.filter((service) => service.name !== name);
      });
      if (stored.credentialsAccount !== undefined) await keychain.deletePassword(SERVICES_KEYCHAIN_SERVICE, stored.credentialsAccount);
    },

    /** The service with its settings parsed and its admin credential read from the keychain. */
    async open(name: string): Promise<ServiceEndpoint> {
      const stored = await find(name);
      const settings = settingsOf(stored);
      let admin: Credential | undefined;
      if (stored.credentialsAccount !== undefined) {
        const text = await keychain.getPassword(SERVICES_KEYCHAIN_SERVICE, stored.credentialsAccount);
        if (text !== null) {
          const parsed = credentialSchema.safeParse(parseJson(text));
          if (!parsed.success) throw invalidInput(`The stored admin credential of ${name} is damaged; store it again with latchkey services update ${name} --url-stdin.`);
          admin = { ...(parsed.data.user === undefined ? {} : { user: parsed.data.user }), secret: parsed.data.secret };
        }
      }
      return { name, kind: stored.kind, settings, ...(admin === undefined ? {} : { admin }) };
    },

    /** A dry run of the service alone: reachable, and the admin credential accepted. Changes nothing. */
    async test(name: string): Promise<CheckStep[]> {
      const service = await this.open(name);
      return kinds.driver(service.kind).check(
        { service, rotator: { strategy: kinds.driver(service.kind).strategies[0]!, self: service.admin === undefined, graceSeconds: 0 }, context: { ref: `service://${name}`, phase: 'check', incident: false } },
        undefined,
      );
    },
  };
}

export type ServicesRegistry = ReturnType<typeof createServicesRegistry>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
