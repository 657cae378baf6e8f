import { invalidInput, isLatchkeyError, permissionDenied, toPublicError, unauthenticated, type LatchkeyError } from '../../errors';
import type { CheckStep, Credential, DriverDeps, RotationTarget, ServiceDriver } from '../driver';
import { accountLabel, currentAccount, readAuthPlugins, refuseUnsupported, type MysqlAccount } from './mysql-account';
import { mapMysqlError, type MysqlErrorContext } from './mysql-errors';
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
    const { service } = target;
    const user = service.admin?.user ?? service.settings.user;
    if (service.admin === undefined || user === undefined) {
      throw invalidInput(
        `MySQL service "${service.name}" has no admin account stored. Add it again with its admin URL (printf %s "$URL" | latchkey services add ${service.name} --kind mysql --url-stdin), or attach the rotator with --self.`,
      );
    }
    return { user, password: service.admin.secret };
  };

  const context = (target: Target, login: string, account?: MysqlAccount): MysqlErrorContext => ({
    service: target.service.name,
    login,
    ...(account === undefined ? {} : { account: accountLabel(account) }),
  });

  const asAdmin = <T>(target: Target, account: MysqlAccount | undefined, work: (session: MysqlSession) => Promise<T>): Promise<T> => {
    const login = adminLogin(target);
    return withMysqlSession(target.service.settings, login, context(target, `the admin account ${login.user}`, account), sessionOptions(target), work);
  };

  const asUser = <T>(target: Target, credential: Credential, what: string, work: (session: MysqlSession) => Promise<T>): Promise<T> => {
    const user = userOf(target, credential);
    return withMysqlSession(target.service.settings, { user, password: credential.secret }, context(target, `${what} of ${user}`, accountOf(target, user)), sessionOptions(target), work);
  };

  const run = (session: MysqlSession, statement: Statement) => session.execute(statement.sql, statement.values);

  /** True when the server accepts `credential`, false when it refuses it; throws when it cannot tell. */
  const accepts = async (target: Target, credential: Credential): Promise<boolean> => {
    const user = userOf(target, credential);
    try {
      const session = await openMysqlSession(target.service.settings, { user, password: credential.secret }, context(target, `a login of ${user}`), sessionOptions(target));
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
      const steps: CheckStep[] = [];
      const add = (name: string, outcome: CheckStep['outcome'], detail: string, error?: LatchkeyError) =>
        steps.push({ name, outcome, detail, ...(error === undefined ? {} : { error: toPublicError(error) }) });
      const { rotator, service } = target;
      const where = `${service.settings.host}:${service.settings.port}`;
      let session: MysqlSession | undefined;
      let stage = 'authenticated';
      try {
        refuseSelfAlternating(target);
        const login = rotator.self ? { user: userOf(target, current), password: current.secret } : adminLogin(target);
        const who = rotator.self ? `${login.user} with its current password` : `the admin account ${login.user}`;
        try {
          session = await openMysqlSession(service.settings, login, context(target, who), sessionOptions(target));
          add('reachable', 'passed', `${where} answered`);
          add('authenticated', 'passed', `logged in as ${who}`);
        } catch (error) {
          const mapped = mapMysqlError(error, context(target, who));
          if (mapped.kind === 'Unauthenticated') {
            add('reachable', 'passed', `${where} answered`);
            add('authenticated', 'failed', `logging in as ${who}`, mapped);
          } else add('reachable', 'failed', `connecting to ${where}`, mapped);
          return skipRest(steps);
        }
        stage = 'server';
        const { server } = session;
        const strategy =
          rotator.strategy === 'dual'
            ? 'dual passwords (RETAIN CURRENT PASSWORD until the old one is retired)'
            : rotator.strategy === 'alternating'
              ? `alternating users ${rotator.user ?? '?'} and ${rotator.userB ?? '?'}`
              : 'single user (the password changes in place)';
        if (rotator.strategy === 'dual' && !hasDualPasswords(server)) {
          add('server', 'failed', `${describeServer(server)}; ${strategy}`, invalidInput(`${describeServer(server)} keeps one password per account; use --strategy alternating for zero downtime.`));
          return skipRest(steps);
        }
        add('server', 'passed', `${describeServer(server)}; ${strategy}`);

        stage = 'exists';

        const users = rotator.self ? ['self' as const] : rotator.strategy === 'alternating' ? [rotator.user, rotator.userB] : [userOf(target, current)];
        for (const user of users) {
          if (user === undefined) throw invalidInput('Alternating users need both users: --user and --user-b.');
          const account = user === 'self' ? await currentAccount(session) : accountOf(target, user);
          const plugins = await readAuthPlugins(session, user === 'self' ? 'self' : account, service.name);
          refuseUnsupported(server, accountLabel(account), plugins);
          add('exists', 'passed', `${accountLabel(account)} exists (${plugins.length === 0 ? 'no password yet' : plugins.join(', ')})`);
        }

        stage = 'can change';
        if (rotator.self) {
          add('can change', 'passed', server.product === 'mariadb' ? 'an account may change its own password (SET PASSWORD)' : 'an account may change its own password (ALTER USER CURRENT_USER())');
        } else {
          const grants = await session.query<Record<string, string>>('SHOW GRANTS');
          const lines = grants.map((row) => Object.values(row)[0] ?? '');
          if (!lines.some(grantsAlterUser)) {
            const admin = adminLogin(target).user;
            throw permissionDenied(`The admin account ${admin} of MySQL service "${service.name}" does not hold CREATE USER. Grant it: GRANT CREATE USER ON *.* TO '${admin}'@'…'.`);
          }
          add('can change', 'passed', `the admin account holds CREATE USER (ALTER USER${rotator.strategy === 'alternating' ? ', ACCOUNT LOCK' : ''})`);
        }
      } catch (error) {
        add(stage, 'failed', `checking ${stage}`, mapMysqlError(error, context(target, 'the login')));
        return skipRest(steps);
      } finally {
        await session?.close();
      }
      return steps;
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

function skipRest(steps: CheckStep[]): CheckStep[] {
  for (const name of ['reachable', 'authenticated', 'server', 'exists', 'can change']) {
    if (!steps.some((step) => step.name === name)) steps.push({ name, outcome: 'skipped', detail: 'not checked: an earlier step failed' });
  }
  return steps;
}
