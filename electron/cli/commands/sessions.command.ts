import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  auditTargetRef,
  sessionServerFromUrl,
  csvHeader,
  csvRow,
  isEmptyFilter,
  missingMessage,
  parseFilterTime,
  parseWhere,
  recordSessionAudit,
  shortSessionId,
  type FilterRevocationProgress,
  type LookupStrategy,
  type SessionFilter,
  type SessionOutput,
  type SessionStore,
} from '../../core/sessions';
import {
  openCliSessionStore,
  sessionsCreate,
  sessionsExtend,
  sessionsListItems,
  sessionsPreviewMatching,
  sessionsRevoke,
  sessionsRevokeDevice,
  sessionsRevokeMatching,
  sessionsRevokeUser,
  sessionsEstimate,
  sessionsShow,
  sessionsStats,
  sessionsValidate,
} from '../output/sessions-output';
import { approximateCount, estimateError, estimateText } from '../../../shared/estimate-format';
import { DEFAULT_SAMPLE, MAX_SAMPLE, MIN_SAMPLE } from '../../core/sessions';
import { notFound } from '../../core/errors';
import { table, UsageError, type CliContext } from '../context';
import { readLine, readValue, STDIN_LIMITS } from '../io';
import { oneLine, oneLineStrings } from '../terminal-text';

/**
 * `latchkey sessions create|validate|list|show|revoke|revoke-user|revoke-device|extend|stats|index` —
 * the API server's Redis sessions from scripts and runbooks (issue 4's exact interface, issue 12's
 * filters). Tokens are read from standard input only; `create` prints the one it made, once.
 * Revocations are audited; Ctrl-C stops one between batches and says how many were revoked.
 */
interface ServerOptions {
  redis?: string;
  prefix?: string;
  /** A session server saved in the app. */
  server?: string;
  /** The old name of --server, still accepted (hidden) so that scripts do not break. */
  connection?: string;
  indexOnly?: boolean;
}

interface FilterOptions {
  where: string[];
  createdBefore?: string;
  createdAfter?: string;
  expiresBefore?: string;
  expiresAfter?: string;
}

/** Above this many sessions, a revocation by filter asks for the number to be typed, not just "yes". */
const TYPE_THE_COUNT_ABOVE = 100;

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
        '--prefix P (default "session:") or --server NAME (a session server saved in the app), and --json.\n' +
        'Tokens are read from standard input only (--token-stdin); an admin names a session by its id, the hex SHA-256 of its token.\n',
    );

  /** The saved session server named by --server, or by the deprecated --connection (which says so). */
  const savedServer = (options: ServerOptions): string | undefined => {
    if (options.connection === undefined) return options.server;
    if (options.server !== undefined) throw new UsageError('--connection is the old name of --server: give only --server.');
    context.warn('--connection is deprecated and will be removed: use --server <name>.');
    return options.connection;
  };

  const open = async (options: ServerOptions): Promise<{ store: SessionStore; close(): Promise<void> }> => {
    const core = context.core();
    const server = savedServer(options);
    if (server !== undefined) {
      if (options.redis !== undefined || options.prefix !== undefined) {
        throw new UsageError('--server names a saved session server, which has its own URL and prefix: do not combine it with --redis or --prefix.');
      }
      // Closed with the core after the command.
      return { store: await core.sessions.storeFor(server), close: async () => undefined };
    }
    if (options.redis !== undefined && hasPassword(options.redis)) {
      // SECURITY: arguments are visible to every user of the machine (ps, /proc); the environment is not.
      throw new UsageError('a password in --redis would show in the process list: put the URL in LATCHKEY_REDIS_URL instead, or use a saved --server.');
    }
    const url = options.redis ?? context.io.env.LATCHKEY_REDIS_URL;
    if (url === undefined || url === '') {
      throw new UsageError('no Redis to work on: pass --redis redis://host:6379, set LATCHKEY_REDIS_URL, or name a saved session server with --server.');
    }
    const { config } = sessionServerFromUrl(url, options.prefix === undefined ? {} : { prefix: options.prefix });
    return openCliSessionStore({ redisUrl: url, prefix: options.prefix, logger: core.logger, onAudit: recordSessionAudit(core.audit, auditTargetRef(config)) });
  };

  /** Runs `work` on the store and closes it afterwards, whatever happens. */
  const withStore = async <T>(options: ServerOptions, work: (store: SessionStore) => Promise<T>): Promise<T> => {
    const opened = await open(options);
    try {
      return await work(opened.store);
    } finally {
      await opened.close();
    }
  };

  /**
   * Ctrl-C stops the walk or the revocation at its next step (the app's Cancel), and so does a reader
   * that closed standard output: the command then says what it did, or ends quietly.
   */
  const cancellable = <T>(work: (signal: AbortSignal) => Promise<T>, stopping = 'stopping — the batch in flight is confirmed or reported, then Latchkey says how many sessions were revoked.'): Promise<T> => {
    const closed = context.io.outputClosed;
    return context.interrupts.cancellable((signal) => work(closed === undefined ? signal : AbortSignal.any([signal, closed])), stopping);
  };

  const strategyOf = (options: ServerOptions): LookupStrategy => (options.indexOnly === true ? 'index' : 'both');

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
      .option('--server <name>', 'a session server saved in the app (password from the OS keychain)')
      .addOption(new Option('--connection <name>', 'deprecated: the old name of --server').hideHelp())
      .option('--json', 'machine-readable output');

  const withFilterOptions = (self: Command) =>
    self
      .option('--where <key=value>', 'only sessions whose metadata field has this value (any key: app_version, os, device_type…; also user_id, device_id); repeatable, all must hold', collect, [] as string[])
      .option('--created-before <time>', 'only sessions created before this ISO 8601 time (2026-12-01T00:00:00Z, or a date)')
      .option('--created-after <time>', 'only sessions created at or after this time')
      .option('--expires-before <time>', 'only sessions that expire before this time')
      .option('--expires-after <time>', 'only sessions that expire at or after this time');

  const filterOf = (options: FilterOptions): SessionFilter => {
    const time = (text: string | undefined, option: string) => (text === undefined ? undefined : parseFilterTime(text, option));
    const times = {
      createdBefore: time(options.createdBefore, '--created-before'),
      createdAfter: time(options.createdAfter, '--created-after'),
      expiresBefore: time(options.expiresBefore, '--expires-before'),
      expiresAfter: time(options.expiresAfter, '--expires-after'),
    };
    return { ...parseWhere(options.where), ...Object.fromEntries(Object.entries(times).filter(([, value]) => value !== undefined)) };
  };

  /** Progress of a long walk on stderr, a line every few seconds, when a person watches. */
  const progressLines = (what: string) => {
    if (context.io.stderr.isTTY !== true) return undefined;
    let shownAt = Date.now();
    return (progress: FilterRevocationProgress) => {
      if (Date.now() - shownAt < 2_000) return;
      shownAt = Date.now();
      const total = progress.estimatedKeys > 0 ? ` of about ${count(Math.max(progress.estimatedKeys, progress.scannedKeys))}` : '';
      context.io.stderr.write(`latchkey: ${what}: ${count(progress.scannedKeys)} keys walked${total}; ${count(progress.matched)} matched, ${count(progress.revoked)} revoked\n`);
    };
  };

  command('create', 'create a session for a device; prints its token once')
    .requiredOption('--user <user>', 'user id')
    .requiredOption('--device <device>', 'device id')
    .option('--ttl-hours <hours>', 'lifetime in hours (default 24)', hoursArgument)
    .option('--meta <key=value>', 'metadata, repeatable (device_type, os, app_version…)', collect, [] as string[])
    .action(async (options: ServerOptions & { user: string; device: string; ttlHours?: number; meta: string[] }, self: Command) => {
      const created = await withStore(options, (store) => sessionsCreate(store, { user: options.user, device: options.device, ttlHours: options.ttlHours, meta: options.meta }));
      context.print(self, created, (shown) =>
        [`Created session ${shortSessionId(shown.id)} for user ${shown.user_id} on device ${shown.device_id}, expiring ${shown.expires_at}.`, 'Token (shown once, not stored anywhere):', shown.token].join('\n'),
      );
    });

  command('validate', "check a token as the API server does; exit 3 when it is invalid or expired")
    .option('--token-stdin', 'read the token from standard input (the only way to pass it)')
    .action(async (options: ServerOptions & { tokenStdin?: boolean }, self: Command) => {
      const token = await readToken(options, 'printf %s "$TOKEN" | latchkey sessions validate --token-stdin');
      const session = await withStore(options, (store) => sessionsValidate(store, token));
      context.print(self, session, (shown) => `Valid: ${describe(shown)}.`);
    });

  withFilterOptions(
    command('list', 'list sessions: all of them, those of a user or a device, or those matching a filter')
      .option('--user <user>', "only this user's sessions")
      .option('--device <device>', "only this device's sessions")
      .option('--format <format>', 'text (the default), json (as --json) or csv (ids, user, device, times, metadata; never a token)', formatArgument)
      .option('--index-only', INDEX_ONLY_HELP),
  ).action(async (options: ServerOptions & FilterOptions & { user?: string; device?: string; format?: 'text' | 'json' | 'csv' }, self: Command) => {
    const format = options.format ?? (self.optsWithGlobals().json === true ? 'json' : 'text');
    const filter = filterOf(options);
    const out = context.io.stdout;
    await withStore(options, (store) =>
      cancellable(async (signal) => {
        // Streamed item by item: a keyspace of millions is never held in memory.
        const items = sessionsListItems(store, {
          user: options.user,
          device: options.device,
          filter,
          strategy: strategyOf(options),
          signal,
          onProblem: (problem) => context.warn(`${problem.key}: ${problem.problem}`),
        });
        let count = 0;
        if (format === 'json') out.write('[');
        if (format === 'csv') out.write(csvHeader());
        for await (const item of items) {
          if (format === 'json') out.write(`${count === 0 ? '\n' : ',\n'}${JSON.stringify(item)}`);
          else if (format === 'csv') out.write(csvRow(item));
          else out.write(`${listLine(oneLineStrings(item))}\n`);
          count += 1;
        }
        if (format === 'json') out.write(count === 0 ? ']\n' : '\n]\n');
        else if (format === 'text' && count === 0) out.write('No sessions.\n');
      }, 'stopping the walk.'),
    );
  });

  command('show <id>', 'one session by id (the hex SHA-256 of its token)').action(async (id: string, options: ServerOptions, self: Command) => {
    const session = await withStore(options, (store) => sessionsShow(store, id));
    context.print(self, session, (shown) => details(shown));
  });

  withFilterOptions(
    command('revoke', 'revoke one session (--id, --token-stdin; exit 3 when there was nothing to revoke), or every session matching a filter (--where, --created-before …)')
      .option('--token-stdin', 'read the token from standard input')
      .option('--id <id>', 'the session id (hex SHA-256 of the token)')
      .option('--dry-run', 'with a filter: count the matching sessions (and their users and devices), revoke nothing')
      .option('--yes', 'with a filter: revoke without asking (otherwise Latchkey counts first and asks in a terminal)'),
  ).action(async (options: ServerOptions & FilterOptions & { tokenStdin?: boolean; id?: string; dryRun?: boolean; yes?: boolean }, self: Command) => {
    const filter = filterOf(options);
    if (!isEmptyFilter(filter)) {
      if (options.tokenStdin === true || options.id !== undefined) throw new UsageError('revoke either one session (--id, --token-stdin) or the sessions matching a filter (--where, --created-before …), not both.');
      await withStore(options, (store) => cancellable((signal) => revokeMatching(self, store, filter, options, signal)));
      return;
    }
    if (options.dryRun === true || options.yes === true) throw new UsageError('--dry-run and --yes go with a filter (--where, --created-before …).');
    if ((options.tokenStdin === true) === (options.id !== undefined)) throw new UsageError('name the session with exactly one of --token-stdin or --id <id>, or revoke by filter with --where key=value.');
    const selector = options.id !== undefined ? { id: options.id } : { token: await readToken(options, '') };
    const result = await withStore(options, (store) => sessionsRevoke(store, selector));
    context.print(self, result, () => 'Revoked 1 session.');
  });

  /** Count, ask (a typed confirmation above TYPE_THE_COUNT_ABOVE sessions), revoke; or --dry-run / --yes. */
  const revokeMatching = async (self: Command, store: SessionStore, filter: SessionFilter, options: { dryRun?: boolean; yes?: boolean }, signal: AbortSignal): Promise<void> => {
    if (options.yes === true && options.dryRun !== true) {
      const result = await sessionsRevokeMatching(store, filter, { signal, onProgress: progressLines('revoking') });
      context.print(self, result, (shown) => `Revoked ${plural(shown.revoked)} (${count(shown.matched)} matched).`);
      return;
    }
    const preview = await sessionsPreviewMatching(store, filter, { signal, onProgress: progressLines('counting') });
    const whose = `${plural(preview.matched)} of ${count(preview.users)} user${preview.users === 1 ? '' : 's'} on ${count(preview.devices)} device${preview.devices === 1 ? '' : 's'}`;
    if (options.dryRun === true || preview.matched === 0) {
      context.print(self, preview, () => (preview.matched === 0 ? 'No session matches; nothing was revoked.' : `${whose} match. Nothing was revoked (--dry-run).`));
      return;
    }
    const typed = preview.matched > TYPE_THE_COUNT_ABOVE ? String(preview.matched) : 'yes';
    const answer = await readLine(context.io, `${whose} match and will be signed out. Type ${typed === 'yes' ? 'yes' : `the number of sessions (${typed})`} to revoke them: `, signal);
    if (answer === undefined) throw new UsageError(`${whose} match; nothing was revoked. Run again with --yes to revoke them (or --dry-run to only count).`);
    if (answer.trim().toLowerCase() !== typed) throw new UsageError(`nothing was revoked: the answer was not ${typed}.`);
    const result = await sessionsRevokeMatching(store, filter, { signal, onProgress: progressLines('revoking') });
    context.print(self, result, (shown) => `Revoked ${plural(shown.revoked)} (${count(shown.matched)} matched).`);
  };

  command('revoke-user <user>', 'revoke every session of a user')
    .option('--index-only', INDEX_ONLY_HELP)
    .action(async (user: string, options: ServerOptions, self: Command) => {
      const result = await withStore(options, (store) => cancellable((signal) => sessionsRevokeUser(store, user, { strategy: strategyOf(options), signal })));
      context.print(self, result, (shown) => `Revoked ${plural(shown.revoked)} of user ${oneLine(user)}.`);
    });

  command('revoke-device <device>', 'revoke every session of a device (a lost or stolen device)')
    .option('--index-only', INDEX_ONLY_HELP)
    .action(async (device: string, options: ServerOptions, self: Command) => {
      const result = await withStore(options, (store) => cancellable((signal) => sessionsRevokeDevice(store, device, { strategy: strategyOf(options), signal })));
      context.print(self, result, (shown) => `Revoked ${plural(shown.revoked)} of device ${oneLine(device)}.`);
    });

  command('extend', 'move a session\'s expiry later; exit 3 when it is invalid, expired or revoked')
    .option('--token-stdin', 'read the token from standard input')
    .option('--id <id>', 'the session id, for an admin who has no token')
    .requiredOption('--hours <hours>', 'hours to add to the current expiry', hoursArgument)
    .action(async (options: ServerOptions & { tokenStdin?: boolean; id?: string; hours: number }, self: Command) => {
      if ((options.tokenStdin === true) === (options.id !== undefined)) throw new UsageError('name the session with exactly one of --token-stdin or --id <id>.');
      const token = options.id === undefined ? await readToken(options, 'printf %s "$TOKEN" | latchkey sessions extend --token-stdin --hours 24') : undefined;
      const session = await withStore(options, async (store) => {
        if (token !== undefined) return sessionsExtend(store, token, options.hours);
        const result = await store.extend({ id: options.id! }, options.hours);
        if (!result.extended) throw notFound(`The session cannot be extended. ${missingMessage(result.reason)}`);
        return sessionsShow(store, result.session.id);
      });
      context.print(self, session, (shown) => `Extended: ${describe(shown)}.`);
    });

  command('stats', 'analytics: active sessions by device type, OS and app version; created and failed validations per hour')
    .option('--hours <hours>', 'hours of history (default 24, at most 168)', (text) => integerArgument(text, 1, 168))
    .option('--max-age <seconds>', 'use the last counts (of any Latchkey on this session server) if they are at most this old, instead of walking the keyspace', (text) => integerArgument(text, 0, 86_400))
    .option(
      '--sample [keys]',
      `estimate from a random sample of keys (RANDOMKEY on each master; default ${DEFAULT_SAMPLE.toLocaleString('en-US')}) instead of walking the keyspace: for very large keyspaces; prints each count with its 95 % interval`,
      (text) => integerArgument(text, MIN_SAMPLE, MAX_SAMPLE),
    )
    .action(async (options: ServerOptions & { hours?: number; maxAge?: number; sample?: number | true }, self: Command) => {
      if (options.sample !== undefined) {
        if (options.maxAge !== undefined) throw new UsageError('--sample estimates now; --max-age reuses an exact count. Use one of them.');
        const sample = options.sample === true ? undefined : options.sample;
        const estimate = await withStore(options, (store) =>
          cancellable((signal) => sessionsEstimate(store, { signal, ...(sample === undefined ? {} : { sample }), ...(options.hours === undefined ? {} : { hours: options.hours }) }), 'stopping the sampling.'),
        );
        context.print(self, estimate, (shown) =>
          [
            `${estimateText(shown.active_sessions)} active sessions, from a sample of ${count(shown.sampled)} keys, ${seconds(shown.took_ms)} (95 % intervals; ${count(shown.sampled_session_keys)} drawn keys were under the prefix)`,
            `  interval ${count(shown.active_sessions.low)} to ${count(shown.active_sessions.high)}; expiring within the hour ${estimateText(shown.expiring_within_hour)}; unusable keys ${estimateText(shown.problems)}`,
            `By device type:  ${estimates(shown.by_device_type)}`,
            `By OS:           ${estimates(shown.by_os)}`,
            `By app version:  ${estimates(shown.by_app_version)}`,
            `Created per hour: not available from a sample (run without --sample for the exact count); failed validations in the last ${shown.failed_validations_per_hour.length} h: ${sum(shown.failed_validations_per_hour)} (exact).`,
          ].join('\n'),
        );
        return;
      }
      const stats = await withStore(options, (store) =>
        cancellable(
          (signal) =>
            sessionsStats(store, {
              signal,
              ...(options.hours === undefined ? {} : { hours: options.hours }),
              ...(options.maxAge === undefined ? {} : { maxAgeSeconds: options.maxAge }),
              onWaiting: () => context.io.stderr.isTTY === true && context.io.stderr.write('latchkey: another Latchkey is counting the sessions of this server; waiting for its result\n'),
            }),
          'stopping the walk.',
        ),
      );
      context.print(self, stats, (shown) =>
        [
          `Active sessions: ${shown.active_sessions} (${shown.expiring_within_hour} expiring within the hour; ${shown.problems} unusable keys)`,
          `By device type:  ${counts(shown.by_device_type)}`,
          `By OS:           ${counts(shown.by_os)}`,
          `By app version:  ${counts(shown.by_app_version)}`,
          `Created in the last ${shown.created_per_hour.length} h: ${sum(shown.created_per_hour)}; failed validations: ${sum(shown.failed_validations_per_hour)}`,
          `Computed ${shown.computed_at}${shown.shared ? ' (by an earlier or concurrent walk)' : ''}: ${count(shown.scanned_keys)} keys walked in ${seconds(shown.took_ms)}, counted on the ${shown.counted_on}; longest call ${shown.longest_call_ms} ms.`,
        ].join('\n'),
      );
    });

  command('index', 'index sessions written by servers that keep no index (a keyspace walk), so --index-only finds them')
    .action(async (options: ServerOptions, self: Command) => {
      const result = await withStore(options, (store) => cancellable((signal) => store.indexExisting({ signal }), 'stopping the indexing walk.'));
      const output = { indexed: result.indexed, scanned_keys: result.scannedKeys, problems: result.problems.length };
      for (const problem of result.problems) context.warn(`${problem.key}: ${problem.problem}`);
      context.print(self, output, (shown) => `Indexed ${plural(shown.indexed)} (${count(shown.scanned_keys)} keys scanned).`);
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

function formatArgument(text: string): 'text' | 'json' | 'csv' {
  if (text !== 'text' && text !== 'json' && text !== 'csv') throw new InvalidArgumentError('text, json or csv.');
  return text;
}

const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const plural = (n: number) => `${count(n)} session${n === 1 ? '' : 's'}`;
const sum = (hours: { count: number }[]) => hours.reduce((total, hour) => total + hour.count, 0);
const estimates = (record: Record<string, { value: number; low: number; high: number }>) =>
  Object.entries(record)
    .sort((a, b) => b[1].value - a[1].value)
    .map(([name, estimate]) => `${oneLine(name)} ≈ ${approximateCount(estimate.value)} ${estimateError(estimate)}`)
    .join(', ') || '—';
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
