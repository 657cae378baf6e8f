import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ENVIRONMENT_NAME, PROJECT_NAME } from '../../../shared/names';
import { connectionSchema } from '../secrets/connections/connection-schema';
import { storedRotatorSchema, storedServiceSchema } from '../services/service-config';
import { sessionServerSchema } from '../sessions/connection';
import { LatchkeyError } from '../errors';
import type { FileLocks } from '../fs/locks';
import type { PrivateTree } from '../fs/private-files';

/**
 * `$XDG_CONFIG_HOME/latchkey/config.json`: projects, their environments and how each is stored. It never
 * holds a secret value or credential. Every change is a locked read-modify-write, validated before it is
 * written, so the app and the CLI can both change it without losing each other's edits.
 */
export const COLOUR = /^#[0-9a-f]{6}$/;

/** A connection's name: how environments and the UI refer to it. */
export const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

/**
 * Where an environment's secrets live: the local encrypted store, or a path (prefix) on a named
 * secret-backend connection (Vault folder, AWS name prefix, Google id prefix, Azure vault…).
 */
export const environmentBindingSchema = z.discriminatedUnion('backend', [
  z.strictObject({ backend: z.literal('file') }),
  z.strictObject({ backend: z.literal('connection'), connection: z.string().regex(CONNECTION_NAME), prefix: z.string().max(512) }),
]);

/** A secret-backend connection (settings only; its credentials live in the keychain). */
export const storedConnectionSchema = z.strictObject({ name: z.string().regex(CONNECTION_NAME), connection: connectionSchema });

/** A session server: the Redis holding the API server's sessions (settings only; its password lives in the keychain). */
export const storedSessionServerSchema = z.strictObject({ name: z.string().regex(CONNECTION_NAME), redis: sessionServerSchema });

export const environmentSchema = z.object({
  id: z.string().regex(/^env-[0-9a-f]{32}$/),
  name: z.string().regex(ENVIRONMENT_NAME),
  colour: z.string().regex(COLOUR),
  protected: z.boolean(),
  binding: environmentBindingSchema,
  /** Rotation period for this environment's secrets that have none of their own. */
  rotationPeriodDays: z.number().int().positive().max(3650).optional(),
  createdAt: z.string(),
});

export const projectSchema = z.object({
  name: z.string().regex(PROJECT_NAME),
  createdAt: z.string(),
  environments: z.array(environmentSchema),
});

export const configSchema = z.object({
  version: z.literal(1),
  projects: z.array(projectSchema),
  connections: z.array(storedConnectionSchema).default([]),
  sessionServers: z.array(storedSessionServerSchema).default([]),
  /** Where credentials are checked (Postgres, Redis ACL…): addresses only, credentials in the keychain. */
  services: z.array(storedServiceSchema).default([]),
  /** Which secret rotates at which service, keyed by project, environment and key. */
  rotators: z.array(storedRotatorSchema).default([]),
});

export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type ProjectConfig = z.infer<typeof projectSchema>;
export type LatchkeyConfig = z.infer<typeof configSchema>;
export type EnvironmentBinding = z.infer<typeof environmentBindingSchema>;
export type StoredConnection = z.infer<typeof storedConnectionSchema>;
export type StoredSessionServer = z.infer<typeof storedSessionServerSchema>;

const FILE = 'config.json';

/**
 * Keys earlier versions wrote under another name: read from the old key, written under the new one by the
 * next change. Session servers were `redisConnections` (a second meaning of "connection"). Should a file
 * hold both (edited by hand), the entries of both are kept, the new key's winning a name they share.
 */
function withRenamedKeys(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('redisConnections' in json)) return json;
  const { redisConnections: legacy, ...rest } = json as Record<string, unknown>;
  const current = rest.sessionServers;
  if (!Array.isArray(legacy) || !Array.isArray(current)) return { ...rest, sessionServers: current ?? legacy };
  const names = new Set(current.map((entry: unknown) => (entry as { name?: unknown } | null)?.name));
  return { ...rest, sessionServers: [...current, ...legacy.filter((entry: unknown) => !names.has((entry as { name?: unknown } | null)?.name))] };
}

export function newEnvironmentId(): string {
  return `env-${randomUUID().replaceAll('-', '')}`;
}

export class ConfigFile {
  constructor(
    private readonly tree: PrivateTree,
    private readonly locks: FileLocks,
  ) {}

  get path(): string {
    return this.tree.resolve(FILE);
  }

  async read(): Promise<LatchkeyConfig> {
    if (!(await this.tree.exists(FILE))) return { version: 1, projects: [], connections: [], sessionServers: [], services: [], rotators: [] };
    const raw = (await this.tree.read([FILE])).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new LatchkeyError('InvalidInput', `${this.path} is not valid JSON. Fix it by hand or move it away to start with an empty configuration.`);
    }
    const parsed = configSchema.safeParse(withRenamedKeys(json));
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') ?? '';
      throw new LatchkeyError('InvalidInput', `${this.path} is not a valid Latchkey configuration (at "${where}"). Fix that entry or move the file away.`);
    }
    return parsed.data;
  }

  /** Applies `change` to the current configuration under the config lock and writes the result. */
  async update<T>(change: (config: LatchkeyConfig) => T): Promise<T> {
    await this.tree.ensureDir();
    return this.locks.withLock(this.path, async () => {
      const config = await this.read();
      const result = change(config);
      const checked = configSchema.parse(config);
      await this.tree.write([FILE], `${JSON.stringify(checked, null, 2)}\n`);
      return result;
    });
  }
}
