import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { z } from 'zod';
import { toPublicError } from '../../errors';
import type { Credential, DriverDeps, RotationTarget, ServiceDriver, ServiceKindDefinition } from '../driver';
import { adminOf, probeTcp, requireUser, runChecks } from '../driver-support';
import { postgresFailure } from './postgres-errors';
import { scramSha256Verifier } from './scram-verifier';

/**
 * Postgres: a role's password, changed with `ALTER ROLE … PASSWORD '<SCRAM-SHA-256 verifier>'`. The
 * verifier is computed here, so the plaintext never reaches the server or its statement log.
 *
 * single       ALTER ROLE on the role itself; the old password stops working at `set`.
 * alternating  two roles (e.g. shop_app and shop_app_b); `set` gives the one not in use the new
 *              password and the secret flips to it; `retire` disables the other's password
 *              (PASSWORD NULL: every password login as it fails) until the next rotation.
 * Admin mode connects as the service's admin role (superuser or CREATEROLE); self mode connects as the
 * role with its current password — Postgres lets a role change its own password.
 */
export const postgresSettingsSchema = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535).default(5432),
  database: z.string().min(1).max(63).default('postgres'),
  /** The admin role (absent for a service used in self mode only). */
  user: z.string().min(1).max(63).optional(),
  sslmode: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  /** CA certificate file for sslmode=verify-full. */
  sslrootcert: z.string().min(1).max(4096).optional(),
  connectTimeoutSeconds: z.number().int().min(1).max(300).default(10),
});
export type PostgresSettings = z.infer<typeof postgresSettingsSchema>;
type Target = RotationTarget<PostgresSettings>;

const URL_PARAMETERS = new Set(['sslmode', 'sslrootcert']);

export const postgresKind: ServiceKindDefinition<PostgresSettings> = {
  kind: 'postgres',
  settingsSchema: postgresSettingsSchema,
  fromUrl(url) {
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new TypeError('postgres URLs start with postgres:// or postgresql://');
    const unknown = [...url.searchParams.keys()].filter((name) => !URL_PARAMETERS.has(name));
    if (unknown.length > 0) throw new TypeError(`postgres URLs take only ${[...URL_PARAMETERS].join(' and ')} as parameters`);
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    const settings = postgresSettingsSchema.parse({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      ...(database === '' ? {} : { database }),
      ...(user === '' ? {} : { user }),
      ...(url.searchParams.has('sslmode') ? { sslmode: url.searchParams.get('sslmode') } : {}),
      ...(url.searchParams.has('sslrootcert') ? { sslrootcert: url.searchParams.get('sslrootcert') } : {}),
    });
    return { settings, ...(password === '' ? {} : { admin: { ...(user === '' ? {} : { user }), secret: password } }) };
  },
  describe: (settings) => `${settings.host}:${settings.port}/${settings.database}${settings.user === undefined ? '' : ` as ${settings.user}`}${settings.sslmode === 'disable' ? '' : ` (${settings.sslmode})`}`,
  createDriver: (deps) => createPostgresDriver(deps),
};

type Who = 'admin' | 'self' | 'login';

export function createPostgresDriver(deps: DriverDeps): ServiceDriver<PostgresSettings> {
  const log = deps.logger.child({ component: 'services.postgres' });

  const connect = async (target: Target, credential: Credential, who: Who): Promise<pg.Client> => {
    const { settings } = target.service;
    const client = new pg.Client({
      host: settings.host,
      port: settings.port,
      database: settings.database,
      user: requireUser(credential, target, who === 'admin' ? 'admin role' : 'role'),
      password: credential.secret,
      connectionTimeoutMillis: settings.connectTimeoutSeconds * 1000,
      query_timeout: (target.rotator.timeoutSeconds ?? 30) * 1000,
      application_name: 'latchkey',
      ...(await sslOptions(settings)),
    });
    // A connection lost later reports through this event; without a listener it would crash the process.
    client.on('error', (error) => log.debug('postgres connection error', { service: target.service.name, error }));
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw postgresFailure(error, target.service.name, { who, user: credential.user });
    }
  };

  /** Runs `work` on a fresh connection; `role` is the role being changed, named in errors. */
  const run = async <T>(target: Target, credential: Credential, who: Who, work: (client: pg.Client) => Promise<T>, role?: string): Promise<T> => {
    const client = await connect(target, credential, who);
    try {
      return await work(client);
    } catch (error) {
      throw postgresFailure(error, target.service.name, { who, user: credential.user, role });
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  /** Who changes passwords: the admin role, or in self mode the role itself with `as`. */
  const actor = (target: Target, self: Credential): { credential: Credential; who: Who } =>
    target.rotator.self ? { credential: self, who: 'self' } : { credential: adminOf(target), who: 'admin' };

  const alterPassword = async (client: pg.Client, target: Target, role: string, verifier: string | null) => {
    const name = target.rotator.self ? 'CURRENT_USER' : client.escapeIdentifier(role);
    await client.query(`ALTER ROLE ${name} PASSWORD ${verifier === null ? 'NULL' : client.escapeLiteral(verifier)}`);
  };

  return {
    kind: 'postgres',
    strategies: ['single', 'alternating'],
    selfMode: true,
    makesCredential: false,

    async check(target, current) {
      const { rotator, service } = target;
      const as = rotator.self ? current : service.admin === undefined ? undefined : adminOf(target);
      const who: Who = rotator.self ? 'self' : 'admin';
      const reachable = { name: 'reachable', detail: `${service.name} (${service.settings.host}:${service.settings.port}) answers` };
      if (as === undefined) {
        // Nothing to log in with (a self-mode service tested on its own): reachability only.
        return runChecks([{ ...reachable, run: () => probeTcp(service.settings.host, service.settings.port, service.settings.connectTimeoutSeconds * 1000, service.name) }]);
      }
      let loginError: unknown;
      const roles = [rotator.user, rotator.strategy === 'alternating' ? rotator.userB : undefined].filter((role): role is string => role !== undefined);
      return runChecks([
        {
          ...reachable,
          run: async () => {
            try {
              await (await connect(target, as, who)).end();
            } catch (error) {
              // A refused login proves the server answered; the next step reports it.
              if (toPublicError(error).kind === 'BackendUnavailable') throw error;
              loginError = error;
            }
          },
        },
        {
          name: 'authenticated',
          detail: rotator.self ? `logs in as ${as.user ?? '?'} with the current value` : `logs in as the admin role ${as.user ?? '?'}`,
          run: async () => {
            if (loginError !== undefined) throw loginError;
          },
        },
        ...(roles.length === 0
          ? []
          : [
              {
                name: 'exists',
                detail: `role ${roles.join(' and ')} ${roles.length === 1 ? 'exists and may' : 'exist and may'} log in`,
                run: () =>
                  run(target, as, who, async (client) => {
                    const found = await client.query<{ rolname: string; rolcanlogin: boolean }>('SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY($1::text[])', [roles]);
                    for (const role of roles) {
                      const row = found.rows.find((candidate) => candidate.rolname === role);
                      if (row === undefined) throw postgresFailure({ code: '42704' }, service.name, { who, role });
                      if (!row.rolcanlogin) throw postgresFailure({ code: 'NOLOGIN' }, service.name, { who, role });
                    }
                  }),
              },
              {
                // A real ALTER ROLE inside a transaction that is rolled back: the right is proven, nothing changes.
                name: 'can change',
                detail: `${rotator.self ? 'may change its own password' : `may change the password of ${roles.join(' and ')}`} (tried in a transaction, rolled back)`,
                run: () =>
                  run(target, as, who, async (client) => {
                    const throwaway = await scramSha256Verifier(randomBytes(24).toString('base64url'));
                    await client.query('BEGIN');
                    try {
                      for (const role of roles) await alterPassword(client, target, role, throwaway);
                    } finally {
                      await client.query('ROLLBACK');
                    }
                  }, roles.join(' and ')),
              },
            ]),
      ]);
    },

    async set(target, current, proposed) {
      const role = requireUser(proposed, target, 'role');
      const { credential, who } = actor(target, current);
      const verifier = await scramSha256Verifier(proposed.secret);
      await run(target, credential, who, (client) => alterPassword(client, target, role, verifier), role);
      return { user: role, secret: proposed.secret };
    },

    async test(target, next) {
      await run(target, next, 'login', async (client) => {
        await client.query('SELECT 1');
      });
    },

    async retire(target, old, next) {
      // single: the old password stopped working at set. alternating: disable the role no longer in use.
      if (target.rotator.strategy !== 'alternating' || old.user === next.user) return;
      const role = requireUser(old, target, 'role');
      await run(target, adminOf(target), 'admin', (client) => alterPassword(client, target, role, null), role);
    },

    async undo(target, current, next) {
      const role = requireUser(next, target, 'role');
      if (target.rotator.strategy === 'alternating' && next.user !== current.user) {
        await run(target, adminOf(target), 'admin', (client) => alterPassword(client, target, role, null), role);
        return;
      }
      const verifier = await scramSha256Verifier(current.secret);
      if (!target.rotator.self) {
        await run(target, adminOf(target), 'admin', (client) => alterPassword(client, target, role, verifier), role);
        return;
      }
      // Self mode: the role holds one of the two passwords; log in with whichever works and put the old one back.
      for (const as of [next, current]) {
        try {
          await run(target, as, 'self', (client) => alterPassword(client, target, role, verifier), role);
          return;
        } catch (error) {
          if (toPublicError(error).kind !== 'Unauthenticated' || as === current) throw error;
        }
      }
    },

    async refuses(target, old) {
      try {
        await run(target, old, 'login', async (client) => {
          await client.query('SELECT 1');
        });
        return false;
      } catch (error) {
        if (toPublicError(error).kind === 'Unauthenticated') return true;
        throw error;
      }
    },
  };
}

async function sslOptions(settings: PostgresSettings): Promise<{ ssl?: pg.ClientConfig['ssl'] }> {
  if (settings.sslmode === 'disable') return {};
  if (settings.sslmode === 'require') return { ssl: { rejectUnauthorized: false } };
  return { ssl: { rejectUnauthorized: true, ...(settings.sslrootcert === undefined ? {} : { ca: await readFile(settings.sslrootcert, 'utf8') }) } };
}

