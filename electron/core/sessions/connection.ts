import { readFile } from 'node:fs/promises';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { z } from 'zod';
import { invalidInput, notFound, unauthenticated, type LatchkeyError } from '../errors';
import type { Keychain } from '../keychain';
import { ownKeychainService } from '../keychain-namespace';
import type { Logger } from '../log';
import { DEFAULT_PREFIX } from './keys';
import { redisFailure } from './redis-errors';
import { withScripts } from './scripts';

/**
 * A session server (the Redis holding the API server's sessions) and the ioredis connection to it: one
 * server (optionally TLS, ACL user, database), a Sentinel-managed master, or a Redis Cluster. The config
 * holds no password: it names a keychain account (service `latchkey-redis`) whose password is read when
 * connecting.
 *
 * Connecting never hangs and never retries forever: a bounded connect timeout, a few reconnect attempts,
 * then a typed error. A connection that gave up is rebuilt by the next operation (the app's "Retry").
 */
// The keychain service keeps its older name, `latchkey-redis`, though these are called session servers
// now: renaming it would orphan every password already stored under it.
export const REDIS_PASSWORD_SERVICE = ownKeychainService('redis');
const QUIT_WAIT_MS = 1_000;

const hostPort = z.object({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) });

const redisUrl = z
  .string()
  .max(2048)
  .refine((text) => /^rediss?:\/\//.test(text), 'must start with redis:// or rediss://')
  .refine((text) => {
    try {
      return new URL(text).password === '';
    } catch {
      return false;
    }
  }, 'must be a valid URL without a password (keep the password in the keychain and name its account)');

export const sessionServerSchema = z
  .object({
    mode: z.enum(['standalone', 'sentinel', 'cluster']).default('standalone'),
    /** standalone: `redis[s]://[user@]host:port[/db]`. */
    url: redisUrl.optional(),
    /** cluster: seed nodes. */
    nodes: z.array(hostPort).min(1).max(64).optional(),
    sentinel: z
      .object({
        masterName: z.string().min(1).max(256),
        sentinels: z.array(hostPort).min(1).max(16),
        username: z.string().min(1).max(256).optional(),
        passwordAccount: z.string().min(1).max(256).optional(),
      })
      .optional(),
    db: z.number().int().min(0).max(1023).optional(),
    prefix: z.string().default(DEFAULT_PREFIX),
    username: z.string().min(1).max(256).optional(),
    /** Keychain account (service `latchkey-redis`) that holds the password. */
    passwordAccount: z.string().min(1).max(256).optional(),
    tls: z
      .object({
        caFile: z.string().min(1).optional(),
        certFile: z.string().min(1).optional(),
        keyFile: z.string().min(1).optional(),
        serverName: z.string().min(1).max(253).optional(),
      })
      .optional(),
    connectTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    commandTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    maxReconnectAttempts: z.number().int().min(0).max(20).default(2),
    /** Above this many keys the dashboard shows a sampled estimate first (sampled-stats.ts; default 2,000,000). */
    sampleAboveKeys: z.number().int().min(0).max(1e12).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.mode === 'standalone' && config.url === undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required for a single server' });
    if (config.mode === 'cluster' && config.nodes === undefined) ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'is required for a cluster' });
    if (config.mode === 'sentinel' && config.sentinel === undefined) ctx.addIssue({ code: 'custom', path: ['sentinel'], message: 'is required for Sentinel' });
    if (config.tls?.certFile !== undefined && config.tls.keyFile === undefined) ctx.addIssue({ code: 'custom', path: ['tls', 'keyFile'], message: 'is required with certFile' });
  });

export type SessionServerInput = z.input<typeof sessionServerSchema>;
export type SessionServerConfig = z.output<typeof sessionServerSchema>;

export function parseSessionServer(input: unknown): SessionServerConfig {
  const result = sessionServerSchema.safeParse(input);
  if (!result.success) {
    const where = result.error.issues.map((issue) => `${issue.path.join('.') || 'server'} ${issue.message}`).join('; ');
    throw invalidInput(`The session server settings are not valid: ${where}.`);
  }
  return result.data;
}

/**
 * The settings for `--redis URL` / LATCHKEY_REDIS_URL. A password in the URL (common in runbooks that
 * take it from an environment variable) is split off and returned apart, so it never lands in a config.
 */
export function sessionServerFromUrl(url: string, extra: Partial<SessionServerInput> = {}): { config: SessionServerConfig; password: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidInput('The Redis URL is not valid. Use redis://[user@]host:port[/db] or rediss://… for TLS.');
  }
  const password = parsed.password === '' ? undefined : decodeUrlPart(parsed.password, 'password');
  parsed.password = '';
  return { config: parseSessionServer({ ...extra, mode: 'standalone', url: parsed.toString() }), password };
}

/**
 * A percent-encoded part of a Redis URL. A `%` not followed by two hexadecimal digits is bad input, said
 * as such (the part itself is not repeated: it may be a password).
 */
function decodeUrlPart(text: string, what: 'password' | 'user name'): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalidInput(`The ${what} in the Redis URL has a % that is not followed by two hexadecimal digits. Percent-encode the ${what}: write a literal % as %25.`);
  }
}

export type RedisClient = Redis | Cluster;

export interface SessionRedis {
  /** host:port (or the cluster's seed node, or the Sentinel master name), for messages. */
  readonly target: string;
  readonly prefix: string;
  readonly isCluster: boolean;
  /** A connected client, reconnecting first if an earlier connection gave up. */
  ready(): Promise<RedisClient>;
  /** The client if it is usable now (no reconnect, no waiting); undefined otherwise. */
  connected(): RedisClient | undefined;
  /** One client per master node: SCAN and DBSIZE are per node. */
  masters(): Promise<Redis[]>;
  /** A LatchkeyError for a failure of an operation on this connection. */
  failure(error: unknown): LatchkeyError;
  close(): Promise<void>;
}

export interface SessionRedisDeps {
  logger: Logger;
  keychain?: Keychain;
  /** A password that came from somewhere other than the keychain (a URL in an environment variable). */
  password?: string;
  /** Likewise for the Sentinel nodes (settings tested before they are saved). */
  sentinelPassword?: string;
}

export async function openSessionRedis(input: SessionServerInput | SessionServerConfig, deps: SessionRedisDeps): Promise<SessionRedis> {
  const config = parseSessionServer(input);
  const target = describeTarget(config);
  const password = deps.password ?? (await keychainPassword(config.passwordAccount, deps.keychain, target));
  const sentinelPassword = deps.sentinelPassword ?? (await keychainPassword(config.sentinel?.passwordAccount, deps.keychain, target));
  const tls = await tlsOptions(config);
  const log = deps.logger.child({ component: 'sessions.redis', target });

  let client: RedisClient | undefined;
  let lastConnectionError: unknown;
  let connecting: Promise<RedisClient> | undefined;

  const build = (): RedisClient => {
    const retryStrategy = (times: number) => (times > config.maxReconnectAttempts ? null : Math.min(100 * 2 ** times, 1_000));
    const common: RedisOptions = {
      lazyConnect: true,
      connectTimeout: config.connectTimeoutMs,
      commandTimeout: config.commandTimeoutMs,
      maxRetriesPerRequest: 1,
      enableAutoPipelining: true,
      username: config.username,
      password,
      tls,
      connectionName: 'latchkey',
    };
    let made: RedisClient;
    if (config.mode === 'cluster') {
      const options: ClusterOptions = {
        lazyConnect: true,
        enableAutoPipelining: true,
        clusterRetryStrategy: retryStrategy,
        redisOptions: { ...common, retryStrategy: undefined } as ClusterOptions['redisOptions'],
        slotsRefreshTimeout: config.connectTimeoutMs,
      };
      made = new Cluster(config.nodes ?? [], options);
    } else if (config.mode === 'sentinel') {
      const sentinel = config.sentinel!;
      made = new Redis({
        ...common,
        retryStrategy,
        db: config.db,
        name: sentinel.masterName,
        sentinels: sentinel.sentinels,
        sentinelUsername: sentinel.username,
        sentinelPassword,
        sentinelRetryStrategy: retryStrategy,
        enableTLSForSentinelMode: tls !== undefined,
      });
    } else {
      const url = new URL(config.url!);
      made = new Redis({
        ...common,
        retryStrategy,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port === '' ? 6379 : Number(url.port),
        db: config.db ?? dbFromPath(url.pathname),
        username: config.username ?? (url.username === '' ? undefined : decodeUrlPart(url.username, 'user name')),
      });
    }
    // Scripts are defined before any command is sent: auto-pipelining copies a client's commands into a
    // pipeline when it opens one, so a script defined later in the same tick (after a SCAN was queued)
    // would be missing from that pipeline.
    withScripts(made);
    // Without a listener ioredis prints errors itself; keep them, reduced to safe fields, for mapping.
    made.on('error', (error: unknown) => {
      lastConnectionError = error;
      log.debug('redis connection error', { error });
    });
    return made;
  };

  const connect = async (): Promise<RedisClient> => {
    const fresh = build();
    lastConnectionError = undefined;
    try {
      await fresh.connect();
      if (fresh instanceof Cluster) await fresh.cluster('INFO');
      else await fresh.ping();
      client = fresh;
      return fresh;
    } catch (error) {
      fresh.disconnect();
      throw redisFailure(error, target, lastConnectionError, config.commandTimeoutMs);
    }
  };

  const connected = (): RedisClient | undefined => (client !== undefined && client.status !== 'end' && client.status !== 'close' ? client : undefined);
  const ready = async (): Promise<RedisClient> => {
    const current = connected();
    if (current !== undefined) return current;
    connecting ??= connect().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  return {
    target,
    prefix: config.prefix,
    isCluster: config.mode === 'cluster',
    ready,
    connected,
    async masters() {
      const current = await ready();
      // The walk scripts run on each master directly; define them before anything is sent to a node
      // (see build() on auto-pipelining).
      return current instanceof Cluster ? current.nodes('master').map((node) => withScripts(node) as Redis) : [current];
    },
    failure: (error) => redisFailure(error, target, lastConnectionError, config.commandTimeoutMs),
    async close() {
      const current = client;
      client = undefined;
      if (current === undefined) return;
      // QUIT waits for the server's answer; a server that stopped answering gets a moment, then the socket closes.
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<'gave up'>((resolve) => {
        timer = setTimeout(() => resolve('gave up'), QUIT_WAIT_MS);
      });
      try {
        if ((await Promise.race([current.quit(), gaveUp])) === 'gave up') current.disconnect();
      } catch {
        current.disconnect();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** host:port, the cluster's seed nodes or the Sentinel master name: how messages name a session server. */
export function describeTarget(config: SessionServerConfig): string {
  if (config.mode === 'cluster') return `cluster ${config.nodes!.map((n) => `${n.host}:${n.port}`).join(',')}`;
  if (config.mode === 'sentinel') return `sentinel master "${config.sentinel!.masterName}"`;
  const url = new URL(config.url!);
  return `${url.hostname}:${url.port || '6379'}`;
}

function dbFromPath(pathname: string): number | undefined {
  const text = pathname.replace(/^\//, '');
  if (text === '') return undefined;
  if (!/^\d{1,4}$/.test(text)) throw invalidInput('The database in a Redis URL is a number, as in redis://host:6379/2.');
  return Number(text);
}

async function keychainPassword(account: string | undefined, keychain: Keychain | undefined, target: string): Promise<string | undefined> {
  if (account === undefined) return undefined;
  if (keychain === undefined) {
    throw unauthenticated(`The connection to ${target} needs its password from the OS keychain, which is not available here.`);
  }
  const stored = await keychain.getPassword(REDIS_PASSWORD_SERVICE, account);
  if (stored === null) {
    throw notFound(`No Redis password is stored in the keychain under "${account}" (service ${REDIS_PASSWORD_SERVICE}). Save it in the session server's settings, then try again.`);
  }
  return stored;
}

async function tlsOptions(config: SessionServerConfig): Promise<TlsOptions | undefined> {
  const wantsTls = config.tls !== undefined || (config.url?.startsWith('rediss://') ?? false);
  if (!wantsTls) return undefined;
  const read = async (path: string | undefined, what: string) => {
    if (path === undefined) return undefined;
    try {
      return await readFile(path);
    } catch (error) {
      throw notFound(`The ${what} file ${path} cannot be read. Check the path in the session server's TLS settings.`, { cause: error });
    }
  };
  const options: TlsOptions = {};
  const ca = await read(config.tls?.caFile, 'CA certificate');
  const cert = await read(config.tls?.certFile, 'client certificate');
  const key = await read(config.tls?.keyFile, 'client key');
  if (ca !== undefined) options.ca = ca;
  if (cert !== undefined) options.cert = cert;
  if (key !== undefined) options.key = key;
  if (config.tls?.serverName !== undefined) options.servername = config.tls.serverName;
  return options;
}
