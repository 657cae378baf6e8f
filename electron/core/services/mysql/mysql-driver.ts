import { invalidInput, isLatchkeyError, permissionDenied, toPublicError, unauthenticated } from '../../errors';
import type { Credential, DriverDeps, RotationTarget, ServiceDriver } from '../driver';
import { adminOf, probeTcp, runChecks } from '../driver-support';
import { accountLabel, currentAccount, readAuthPlugins, refuseUnsupported, type MysqlAccount } from './mysql-account';
import type { MysqlErrorContext } from './mysql-errors';
import { openMysqlSession, withMysqlSession, type MysqlLogin, type MysqlSession } from './mysql-session';
import type { MysqlSettings } from './mysql-settings';
import { discardOldPasswordStatement, lockStatement, passwordStatement, type Statement } from './password-statements';
import { describeServer, hasDualPasswords } from './server-version';

/**
 * Rotation at a MySQL or MariaDB server (client: mysql2).
 *
 * Strategies: `single` changes the password in place (the old one stops working at `set`);
 * `alternating` keeps two accounts (app, app_b) — `set` gives the one not in use the new password and
 * unlocks it, `retire` locks the other (ACCOUNT LOCK); `dual` (MySQL 8.0.14+) keeps the old password
 * valid next to the new one (RETAIN CURRENT PASSWORD) until `retire` (DISCARD OLD PASSWORD).
 *
 * Admin mode logs in with the service's admin account (CREATE USER); self mode (`single` and `dual`)
 * logs in as the account itself with its current password. What reaches the server is described in
 * password-statements.ts: on MariaDB never the plaintext.
 */
const DEFAULT_TIMEOUT_SECONDS = 30;

type Target = RotationTarget<MysqlSettings>;

export function createMysqlDriver(deps: DriverDeps): ServiceDriver<MysqlSettings> {
  const timeoutMs = (target: Target) => (target.rotator.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const sessionOptions = (target: Target) => ({ timeoutMs: timeoutMs(target), ...(target.signal === undefined ? {} : { signal: target.signal }) });
  const accountOf = (target: Target, user: string): MysqlAccount => ({ user, host: target.service.settings.accountHost });
  const log = deps.logger.child({ driver: 'mysql' });

  const userOf = (target: Target, credential: Credential): string => {
    const user = credential.user ?? target.rotator.user;
    if (user === undefined) throw invalidInput(`The MySQL rotator of ${target.context.ref} names no user; attach it again with --user.`);
    return user;
  };

  const adminLogin = (target: Target): MysqlLogin => {
    const admin = adminOf(target);
    const user = admin.user ?? target.service.settings.user;
    if (user === undefined) throw invalidInput(`${target.service.name} has no admin user name. Store the admin URL again: printf %s "$ADMIN_URL" | latchkey services update ${target.service.name} --url-stdin`);
    return { user, password: admin.secret };
  };

  const context = (target: Target, login: string, who: MysqlErrorContext['who'], account?: MysqlAccount): MysqlErrorContext => ({
    service: target.service.name,
    login,
    who,
    ...(account === undefined ? {} : { account: accountLabel(account) }),
  });

  const asAdmin = <T>(target: Target, account: MysqlAccount | undefined, work: (session: MysqlSession) => Promise<T>): Promise<T> => {
    const login = adminLogin(target);
    return withMysqlSession(target.service.settings, login, context(target, `the admin account ${login.user}`, 'admin', account), sessionOptions(target), work);
  };

  /** Logs in as the account itself: with its current password (self mode), or with the new one (test, and self mode after set). */
  const asUser = <T>(target: Target, credential: Credential, what: 'the current password' | 'the new password', work: (session: MysqlSession) => Promise<T>): Promise<T> => {
    const user = userOf(target, credential);
    const who = what === 'the current password' ? 'self' : 'login';
    return withMysqlSession(target.service.settings, { user, password: credential.secret }, context(target, `${what} of ${user}`, who, accountOf(target, user)), sessionOptions(target), work);
  };

  /** Runs a statement; on MySQL, where a password statement carries the plaintext, only if the server rewrites it in its logs. */
  const run = async (session: MysqlSession, statement: Statement) => {
    if (session.server.product === 'mysql' && /IDENTIFIED BY/.test(statement.sql)) await refuseRawLogs(session);
    await session.execute(statement.sql, statement.values);
  };

  /** True when the server accepts `credential`, false when it refuses it; throws when it cannot tell. */
  const accepts = async (target: Target, credential: Credential): Promise<boolean> => {
    const user = userOf(target, credential);
    try {
      const session = await openMysqlSession(target.service.settings, { user, password: credential.secret }, context(target, `a login of ${user}`, 'login'), sessionOptions(target));
      await session.close();
      return true;
    } catch (error) {
      if (isLatchkeyError(error) && error.kind === 'Unauthenticated') return false;
      throw error;
    }
  };

  const refuseSelfAlternating = (target: Target) => {
    if (target.rotator.strategy === 'alternating' && target.rotator.self) {
      throw invalidInput('Alternating users need the service’s admin account (one user cannot change the other); attach the rotator without --self.');
    }
  };

  /** Changes the password of the account logged in with `login` to `password`; safe to repeat after a crash. */
  const setOwnPassword = async (target: Target, login: Credential, password: string, options: { retainCurrent: boolean }): Promise<void> => {
    await asUser(target, login, 'the current password', async (session) => {
      refuseUnsupported(session.server, accountLabel(await currentAccount(session)), await readAuthPlugins(session, 'self', target.service.name));
      await run(session, passwordStatement(session.server, { account: 'self', password, currentPassword: login.secret, retainCurrent: options.retainCurrent }));
    });
  };

  return {
    kind: 'mysql',
    strategies: ['single', 'alternating', 'dual'],
    selfMode: true,
    makesCredential: false,

    async check(target, current) {
      const { rotator, service } = target;
      const { settings } = service;
      const reachable = { name: 'reachable', detail: `${service.name} (${settings.host}:${settings.port}) answers` };
      const login = rotator.self ? (current === undefined ? undefined : { user: userOf(target, current), password: current.secret }) : service.admin === undefined ? undefined : adminLogin(target);
      if (login === undefined) {
        // Nothing to log in with (a self-mode service tested on its own): reachability only.
        return runChecks([{ ...reachable, run: () => probeTcp(settings.host, settings.port, timeoutMs(target), service.name) }]);
      }
      const who = rotator.self ? `${login.user} with its current password` : `the admin account ${login.user}`;
      const users = rotator.self ? [] : [rotator.user, rotator.strategy === 'alternating' ? rotator.userB : undefined].filter((user): user is string => user !== undefined);
      let session: MysqlSession | undefined;
      let loginError: unknown;
      const opened = () => session!;
      try {
        return await runChecks([
          {
            ...reachable,
            run: async () => {
              try {
                session = await openMysqlSession(settings, login, context(target, who, rotator.self ? 'self' : 'admin'), sessionOptions(target));
              } catch (error) {
                // A refused login proves the server answered; the next step reports it.
                if (toPublicError(error).kind !== 'Unauthenticated') throw error;
                loginError = error;
              }
            },
          },
          {
            name: 'authenticated',
            detail: `logs in as ${who}`,
            run: async () => {
              if (loginError !== undefined) throw loginError;
            },
          },
          {
            name: 'server',
            detail: strategyDetail(target),
            run: async () => {
              refuseSelfAlternating(target);
              if (rotator.strategy === 'dual' && !hasDualPasswords(opened().server)) {
                throw invalidInput(`${describeServer(opened().server)} keeps one password per account; use --strategy alternating for zero downtime.`);
              }
              await refuseRawLogs(opened());
            },
          },
          ...(users.length === 0 && !rotator.self
            ? []
            : [
                {
                  name: 'exists',
                  detail: rotator.self ? 'the account exists and its password can be sent as a hash or rewritten in the logs' : `${users.map((user) => accountLabel(accountOf(target, user))).join(' and ')} exist and their passwords can be changed without the plaintext reaching the logs`,
                  run: async () => {
                    for (const user of rotator.self ? ['self' as const] : users) {
                      const account = user === 'self' ? await currentAccount(opened()) : accountOf(target, user);
                      refuseUnsupported(opened().server, accountLabel(account), await readAuthPlugins(opened(), user === 'self' ? 'self' : account, service.name));
                    }
                  },
                },
              ]),
          {
            name: 'can change',
            detail: rotator.self ? 'an account may change its own password' : `the admin account holds CREATE USER (ALTER USER${rotator.strategy === 'alternating' ? ', ACCOUNT LOCK and UNLOCK' : ''})`,
            run: async () => {
              if (rotator.self) return;
              const grants = await opened().query<Record<string, string>>('SHOW GRANTS');
              if (!grants.map((row) => Object.values(row)[0] ?? '').some(grantsAlterUser)) {
                throw permissionDenied(`The admin account ${login.user} of ${service.name} does not hold CREATE USER. Grant it: GRANT CREATE USER ON *.* TO '${login.user}'@'…'.`);
              }
            },
          },
        ]);
      } finally {
        await session?.close();
      }
    },

    async set(target, current, proposed) {
      refuseSelfAlternating(target);
      const { rotator } = target;
      if (rotator.strategy === 'alternating') {
        const user = proposed.user;
        if (user === undefined || user === userOf(target, current)) throw invalidInput('Alternating users: the new password goes to the user not in use, which was not given.');
        const account = accountOf(target, user);
        await asAdmin(target, account, async (session) => {
          refuseUnsupported(session.server, accountLabel(account), await readAuthPlugins(session, account, target.service.name));
          await run(session, passwordStatement(session.server, { account, password: proposed.secret, unlock: true }));
        });
        log.info('set the password of the alternate user', { service: target.service.name, user });
        return { user, secret: proposed.secret };
      }

      const user = userOf(target, current);
      const next: Credential = { user, secret: proposed.secret };
      const retainCurrent = rotator.strategy === 'dual';
      // Repeating a dual change would make the new password the retained one too and lose the old;
      // repeating a self change cannot log in with the old password any more. Both first ask the server.
      if ((retainCurrent || rotator.self) && (await accepts(target, next))) return next;
      if (rotator.self) await setOwnPassword(target, current, proposed.secret, { retainCurrent });
      else {
        const account = accountOf(target, user);
        await asAdmin(target, account, async (session) => {
          refuseUnsupported(session.server, accountLabel(account), await readAuthPlugins(session, account, target.service.name));
          await run(session, passwordStatement(session.server, { account, password: proposed.secret, retainCurrent }));
        });
      }
      log.info('set the new password', { service: target.service.name, user, strategy: rotator.strategy, self: rotator.self });
      return next;
    },

    async test(target, next) {
      await asUser(target, next, 'the new password', async (session) => {
        await session.query('SELECT 1 AS ok');
      });
    },

    async retire(target, old, next) {
      const { rotator } = target;
      if (rotator.strategy === 'single') return;
      if (rotator.strategy === 'alternating') {
        const user = userOf(target, old);
        if (user === userOf(target, next)) return;
        const account = accountOf(target, user);
        await asAdmin(target, account, (session) => run(session, lockStatement(account)));
        log.info('locked the user no longer in use', { service: target.service.name, user });
        return;
      }
      if (rotator.self) {
        await asUser(target, next, 'the new password', (session) => run(session, discardOldPasswordStatement('self')));
        return;
      }
      const account = accountOf(target, userOf(target, next));
      await asAdmin(target, account, (session) => run(session, discardOldPasswordStatement(account)));
    },

    async undo(target, current, next) {
      refuseSelfAlternating(target);
      const { rotator } = target;
      if (rotator.strategy === 'alternating') {
        const user = next.user;
        if (user === undefined || user === userOf(target, current)) return;
        const account = accountOf(target, user);
        await asAdmin(target, account, (session) => run(session, lockStatement(account)));
        return;
      }
      const user = userOf(target, current);
      const account = accountOf(target, user);
      const dual = rotator.strategy === 'dual';
      if (!rotator.self) {
        await asAdmin(target, account, async (session) => {
          await run(session, passwordStatement(session.server, { account, password: current.secret }));
          if (dual) await run(session, discardOldPasswordStatement(account));
        });
        return;
      }
      // Self mode logs in with whichever password the server takes now: the new one if `set` got
      // through, else the current one (then `set` never happened, or an earlier undo finished).
      const login = (await accepts(target, { user, secret: next.secret })) ? { user, secret: next.secret } : undefined;
      if (login === undefined) {
        if (await accepts(target, current)) return;
        throw unauthenticated(`MySQL service "${target.service.name}" accepts neither the current nor the new password of ${user}; an administrator must reset it.`);
      }
      await asUser(target, login, 'the new password', async (session) => {
        await run(session, passwordStatement(session.server, { account: 'self', password: current.secret, currentPassword: next.secret }));
        if (dual) await run(session, discardOldPasswordStatement('self'));
      });
    },

    async refuses(target, old) {
      return !(await accepts(target, old));
    },
  };
}

/** A SHOW GRANTS line that allows ALTER USER on any account: CREATE USER or ALL on *.*, or UPDATE on the mysql schema. */
function grantsAlterUser(line: string): boolean {
  const global = /^GRANT (.+?) ON \*\.\* TO /.exec(line)?.[1];
  if (global !== undefined && /(^|, )(ALL PRIVILEGES|CREATE USER)(,|$)/.test(global)) return true;
  const mysqlSchema = /^GRANT (.+?) ON `mysql`\.\* TO /.exec(line)?.[1];
  return mysqlSchema !== undefined && /(^|, )(ALL PRIVILEGES|UPDATE)(,|$)/.test(mysqlSchema);
}

function strategyDetail(target: Target): string {
  const { rotator } = target;
  if (rotator.strategy === 'dual') return 'the server keeps two passwords (MySQL 8.0.14+: RETAIN CURRENT PASSWORD until the old one is retired)';
  if (rotator.strategy === 'alternating') return `alternating users ${rotator.user ?? '?'} and ${rotator.userB ?? '?'} (ACCOUNT LOCK needs MariaDB 10.4 or MySQL 5.7.6)`;
  return 'single user: the password changes in place';
}

/** MySQL started with --log-raw writes passwords to its logs as sent; Latchkey then sends none. */
async function refuseRawLogs(session: MysqlSession): Promise<void> {
  if (session.server.product !== 'mysql') return;
  const [row] = await session.query<{ raw: unknown }>('SELECT @@GLOBAL.log_raw AS raw');
  if (Number(row?.raw) === 1) throw invalidInput(`${describeServer(session.server)} runs with log_raw=ON: its logs would keep the password as sent. Turn log_raw off (it is off by default) before rotating here.`);
}
