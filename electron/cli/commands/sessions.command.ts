import { InvalidArgumentError, type Command } from 'commander';
import {
  auditTargetRef,
  connectionFromUrl,
  missingMessage,
  openCliSessionStore,
  recordSessionAudit,
  sessionsCreate,
  sessionsExtend,
  sessionsListItems,
  sessionsRevoke,
  sessionsRevokeDevice,
  sessionsRevokeUser,
  sessionsShow,
  sessionsStats,
  sessionsValidate,
  shortSessionId,
  type LookupStrategy,
  type SessionOutput,
  type SessionStore,
} from '../../core/sessions';
import { notFound } from '../../core/errors';
import { table, UsageError, type CliContext } from '../context';
import { readValue, STDIN_LIMITS } from '../io';

/**
 * `latchkey sessions create|validate|list|show|revoke|revoke-user|revoke-device|extend|stats|index` —
 * the API server's Redis sessions from scripts and runbooks (issue 4's exact interface). Tokens are
 * read from standard input only; `create` prints the one it made, once. Revocations are audited.
 */
interface ConnectionOptions {
  redis?: string;
  prefix?: string;
  connection?: string;
  indexOnly?: boolean;
}

const INDEX_ONLY_HELP =
  "use only Latchkey's per-user and per-device indexes: O(that owner's sessions), fast at any keyspace size. " +
  'By default Latchkey also walks the keyspace (pipelined SCAN), because the API server writes sessions without ' +
  'indexes and an index-only lookup would miss them; use this only where every writer keeps the indexes, or ' +
  "after 'latchkey sessions index'";

export function registerSessions(program: Command, context: CliContext): void {
  const sessions = program
    .command('sessions')
    .description('administer the API server\'s Redis sessions (find, revoke, extend, create, analytics)')
    .addHelpText(
      'after',
      '\nEvery command takes --redis URL (or LATCHKEY_REDIS_URL; a password goes only in that variable, never in an argument, and is used for that run only), ' +
        '--prefix P (default "session:") or --connection NAME (a connection saved in the app), and --json.\n' +
        'Tokens are read from standard input only (--token-stdin); an admin names a session by its id, the hex SHA-256 of its token.\n',
    );

  const open = async (options: ConnectionOptions): Promise<{ store: SessionStore; close(): Promise<void> }> => {
    const core = context.core();
    if (options.connection !== undefined) {
      if (options.redis !== undefined || options.prefix !== undefined) {
        throw new UsageError('--connection names a saved connection, which has its own URL and prefix: do not combine it with --redis or --prefix.');
      }
      // Closed with the core after the command.
      return { store: await core.sessions.storeFor(options.connection), close: async () => undefined };
    }
    if (options.redis !== undefined && hasPassword(options.redis)) {
      // SECURITY: arguments are visible to every user of the machine (ps, /proc); the environment is not.
      throw new UsageError('a password in --redis would show in the process list: put the URL in LATCHKEY_REDIS_URL instead, or use a saved --connection.');
    }
    const url = options.redis ?? context.io.env.LATCHKEY_REDIS_URL;
    if (url === undefined || url === '') {
      throw new UsageError('no Redis to work on: pass --redis redis://host:6379, set LATCHKEY_REDIS_URL, or name a saved connection with --connection.');
    }
    const { config } = connectionFromUrl(url, options.prefix === undefined ? {} : { prefix: options.prefix });
    return openCliSessionStore({ redisUrl: url, prefix: options.prefix, logger: core.logger, onAudit: recordSessionAudit(core.audit, auditTargetRef(config)) });
  };

  /** Runs `work` on the store and closes it afterwards, whatever happens. */
  const withStore = async <T>(options: ConnectionOptions, work: (store: SessionStore) => Promise<T>): Promise<T> => {
    const opened = await open(options);
    try {
      return await work(opened.store);
    } finally {
      await opened.close();
    }
  };

  const strategyOf = (options: ConnectionOptions): LookupStrategy => (options.indexOnly === true ? 'index' : 'both');

  const readToken = async (options: { tokenStdin?: boolean }, usage: string): Promise<string> => {
    if (options.tokenStdin !== true) throw new UsageError(`session tokens are read from standard input only, never from arguments: ${usage}`);
    return readValue(context.io, false, STDIN_LIMITS.token);
  };

  const command = (name: string, description: string) =>
    sessions
      .command(name)
      .description(description)
      .option('--redis <url>', 'Redis URL, redis://[user@]host:port[/db] or rediss:// for TLS (default: LATCHKEY_REDIS_URL, which may also hold the password)')
      .option('--prefix <prefix>', 'session key prefix (default: session:)')
      .option('--connection <name>', 'a Redis connection saved in the app (password from the OS keychain)')
      .option('--json', 'machine-readable output');

  command('create', 'create a session for a device; prints its token once')
    .requiredOption('--user <user>', 'user id')
    .requiredOption('--device <device>', 'device id')
    .option('--ttl-hours <hours>', 'lifetime in hours (default 24)', hoursArgument)
    .option('--meta <key=value>', 'metadata, repeatable (device_type, os, app_version…)', collect, [] as string[])
    .action(async (options: ConnectionOptions & { user: string; device: string; ttlHours?: number; meta: string[] }, self: Command) => {
      const created = await withStore(options, (store) => sessionsCreate(store, { user: options.user, device: options.device, ttlHours: options.ttlHours, meta: options.meta }));
      context.print(self, created, () =>
        [`Created session ${shortSessionId(created.id)} for user ${created.user_id} on device ${created.device_id}, expiring ${created.expires_at}.`, 'Token (shown once, not stored anywhere):', created.token].join('\n'),
      );
    });

  command('validate', "check a token as the API server does; exit 3 when it is invalid or expired")
    .option('--token-stdin', 'read the token from standard input (the only way to pass it)')
    .action(async (options: ConnectionOptions & { tokenStdin?: boolean }, self: Command) => {
      const token = await readToken(options, 'printf %s "$TOKEN" | latchkey sessions validate --token-stdin');
      const session = await withStore(options, (store) => sessionsValidate(store, token));
      context.print(self, session, () => `Valid: ${describe(session)}.`);
    });

  command('list', 'list sessions: all of them, or those of a user or a device')
    .option('--user <user>', 'only this user\'s sessions')
    .option('--device <device>', 'only this device\'s sessions')
    .option('--index-only', INDEX_ONLY_HELP)
    .action(async (options: ConnectionOptions & { user?: string; device?: string }, self: Command) => {
      const json = self.optsWithGlobals().json === true;
      const out = context.io.stdout;
      await withStore(options, async (store) => {
        // Streamed item by item: a keyspace of millions is never held in memory.
        const items = sessionsListItems(store, {
          user: options.user,
          device: options.device,
          strategy: strategyOf(options),
          onProblem: (problem) => context.io.stderr.write(`latchkey: warning: ${problem.key}: ${problem.problem}\n`),
        });
        let count = 0;
        if (json) out.write('[');
        for await (const item of items) {
          out.write(json ? `${count === 0 ? '\n' : ',\n'}${JSON.stringify(item)}` : `${listLine(item)}\n`);
          count += 1;
        }
        if (json) out.write(count === 0 ? ']\n' : '\n]\n');
        else if (count === 0) out.write('No sessions.\n');
      });
    });

  command('show <id>', 'one session by id (the hex SHA-256 of its token)').action(async (id: string, options: ConnectionOptions, self: Command) => {
    const session = await withStore(options, (store) => sessionsShow(store, id));
    context.print(self, session, () => details(session));
  });

  command('revoke', 'revoke one session; exit 3 when there was nothing to revoke')
    .option('--token-stdin', 'read the token from standard input')
    .option('--id <id>', 'the session id (hex SHA-256 of the token)')
    .action(async (options: ConnectionOptions & { tokenStdin?: boolean; id?: string }, self: Command) => {
      if ((options.tokenStdin === true) === (options.id !== undefined)) throw new UsageError('name the session with exactly one of --token-stdin or --id <id>.');
      const selector = options.id !== undefined ? { id: options.id } : { token: await readToken(options, '') };
      const result = await withStore(options, (store) => sessionsRevoke(store, selector));
      context.print(self, result, () => 'Revoked 1 session.');
    });

  command('revoke-user <user>', 'revoke every session of a user')
    .option('--index-only', INDEX_ONLY_HELP)
    .action(async (user: string, options: ConnectionOptions, self: Command) => {
      const result = await withStore(options, (store) => sessionsRevokeUser(store, user, { strategy: strategyOf(options) }));
      context.print(self, result, () => `Revoked ${plural(result.revoked)} of user ${user}.`);
    });

  command('revoke-device <device>', 'revoke every session of a device (a lost or stolen device)')
    .option('--index-only', INDEX_ONLY_HELP)
    .action(async (device: string, options: ConnectionOptions, self: Command) => {
      const result = await withStore(options, (store) => sessionsRevokeDevice(store, device, { strategy: strategyOf(options) }));
      context.print(self, result, () => `Revoked ${plural(result.revoked)} of device ${device}.`);
    });

  command('extend', 'move a session\'s expiry later; exit 3 when it is invalid, expired or revoked')
    .option('--token-stdin', 'read the token from standard input')
    .option('--id <id>', 'the session id, for an admin who has no token')
    .requiredOption('--hours <hours>', 'hours to add to the current expiry', hoursArgument)
    .action(async (options: ConnectionOptions & { tokenStdin?: boolean; id?: string; hours: number }, self: Command) => {
      if ((options.tokenStdin === true) === (options.id !== undefined)) throw new UsageError('name the session with exactly one of --token-stdin or --id <id>.');
      const token = options.id === undefined ? await readToken(options, 'printf %s "$TOKEN" | latchkey sessions extend --token-stdin --hours 24') : undefined;
      const session = await withStore(options, async (store) => {
        if (token !== undefined) return sessionsExtend(store, token, options.hours);
        const result = await store.extend({ id: options.id! }, options.hours);
        if (!result.extended) throw notFound(`The session cannot be extended. ${missingMessage(result.reason)}`);
        return sessionsShow(store, result.session.id);
      });
      context.print(self, session, () => `Extended: ${describe(session)}.`);
    });

  command('stats', 'analytics: active sessions by device type, OS and app version; created and failed validations per hour')
    .option('--hours <hours>', 'hours of history (default 24, at most 168)', (text) => integerArgument(text, 1, 168))
    .action(async (options: ConnectionOptions & { hours?: number }, self: Command) => {
      const stats = await withStore(options, (store) => sessionsStats(store, options.hours === undefined ? {} : { hours: options.hours }));
      context.print(self, stats, () =>
        [
          `Active sessions: ${stats.active_sessions} (${stats.expiring_within_hour} expiring within the hour; ${stats.problems} unusable keys)`,
          `By device type:  ${counts(stats.by_device_type)}`,
          `By OS:           ${counts(stats.by_os)}`,
          `By app version:  ${counts(stats.by_app_version)}`,
          `Created in the last ${stats.created_per_hour.length} h: ${sum(stats.created_per_hour)}; failed validations: ${sum(stats.failed_validations_per_hour)}`,
        ].join('\n'),
      );
    });

  command('index', 'index sessions written by servers that keep no index (a keyspace walk), so --index-only finds them')
    .action(async (options: ConnectionOptions, self: Command) => {
      const result = await withStore(options, (store) => store.indexExisting());
      const output = { indexed: result.indexed, scanned_keys: result.scannedKeys, problems: result.problems.length };
      for (const problem of result.problems) context.io.stderr.write(`latchkey: warning: ${problem.key}: ${problem.problem}\n`);
      context.print(self, output, () => `Indexed ${plural(result.indexed)} (${result.scannedKeys} keys scanned).`);
    });
}

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false; // reported as an invalid URL when it is parsed
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function hoursArgument(text: string): number {
  const hours = Number(text);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 366) throw new InvalidArgumentError('a number of hours above 0 and at most 8784.');
  return hours;
}

function integerArgument(text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max}.`);
  return n;
}

const plural = (n: number) => `${n} session${n === 1 ? '' : 's'}`;
const sum = (hours: { count: number }[]) => hours.reduce((total, hour) => total + hour.count, 0);
const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`)
    .join(', ') || '—';

function describe(session: SessionOutput): string {
  return `session ${shortSessionId(session.id)} of user ${session.user_id} on device ${session.device_id}, expires ${session.expires_at}`;
}

function listLine(session: SessionOutput): string {
  return [shortSessionId(session.id), session.user_id.padEnd(20), session.device_id.padEnd(20), session.expires_at].join('  ');
}

function details(session: SessionOutput): string {
  return table([
    ['id', session.id],
    ['user', session.user_id],
    ['device', session.device_id],
    ['created', session.created_at],
    ['expires', session.expires_at],
    ['ttl', session.ttl_seconds === null ? 'none' : `${session.ttl_seconds} s`],
    ['metadata', JSON.stringify(session.metadata)],
  ]);
}
