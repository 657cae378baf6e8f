import { invalidInput } from '../../errors';
import type { MysqlAccount } from './mysql-account';
import { nativePasswordHash } from './native-password';
import { describeServer, hasDualPasswords, rewritesPasswordsInLogs, type MysqlServer } from './server-version';

/**
 * The statements that change a password, per server. Values travel as placeholders, so a user name is
 * never spliced into SQL by hand.
 *
 * MariaDB writes every statement to its general (and slow, and binary) log as received, so it gets
 * only the mysql_native_password hash, computed here: `ALTER USER ?@? IDENTIFIED BY PASSWORD '<hash>'`,
 * or for an account changing itself `SET PASSWORD = '<hash>'` (MariaDB lets any account do that, but
 * ALTER USER CURRENT_USER() only with CREATE USER).
 *
 * MySQL 5.7.6+ rewrites `IDENTIFIED BY '<password>'` in those logs itself (`IDENTIFIED BY <secret>`),
 * for every password plugin, so it gets the password; MySQL 8.0.14+ keeps the old one valid next to
 * it (`RETAIN CURRENT PASSWORD`) until `DISCARD OLD PASSWORD`, which is the `dual` strategy.
 */
export interface Statement {
  sql: string;
  values: unknown[];
}

export interface PasswordChange {
  /** Whose password: an account (admin mode), or the logged-in account itself. */
  account: MysqlAccount | 'self';
  password: string;
  /** Self mode on MySQL: the current password (REPLACE, required where password_require_current is on). */
  currentPassword?: string;
  /** dual: keep the current password valid as the secondary one. */
  retainCurrent?: boolean;
  /** alternating: the account being brought back into use was locked when it was retired. */
  unlock?: boolean;
}

export function passwordStatement(server: MysqlServer, change: PasswordChange): Statement {
  if (change.retainCurrent === true && !hasDualPasswords(server)) {
    throw invalidInput(`${describeServer(server)} keeps only one password per account (RETAIN CURRENT PASSWORD needs MySQL 8.0.14 or later); use --strategy alternating for zero downtime.`);
  }
  if (server.product === 'mariadb') {
    const hash = nativePasswordHash(change.password);
    if (change.account === 'self') return { sql: 'SET PASSWORD = ?', values: [hash] };
    return { sql: `ALTER USER ?@? IDENTIFIED BY PASSWORD ?${change.unlock === true ? ' ACCOUNT UNLOCK' : ''}`, values: [change.account.user, change.account.host, hash] };
  }
  if (!rewritesPasswordsInLogs(server)) {
    throw invalidInput(`${describeServer(server)} writes passwords to its logs as sent; Latchkey supports MySQL 5.7.6 and later (and MariaDB).`);
  }
  const retain = change.retainCurrent === true ? ' RETAIN CURRENT PASSWORD' : '';
  if (change.account === 'self') {
    const replace = change.currentPassword === undefined ? '' : ' REPLACE ?';
    return { sql: `ALTER USER CURRENT_USER() IDENTIFIED BY ?${replace}${retain}`, values: [change.password, ...(change.currentPassword === undefined ? [] : [change.currentPassword])] };
  }
  return { sql: `ALTER USER ?@? IDENTIFIED BY ?${retain}${change.unlock === true ? ' ACCOUNT UNLOCK' : ''}`, values: [change.account.user, change.account.host, change.password] };
}

/** alternating: the user no longer in use can log in no more (its open sessions are not ended). */
export function lockStatement(account: MysqlAccount): Statement {
  return { sql: 'ALTER USER ?@? ACCOUNT LOCK', values: [account.user, account.host] };
}

/** dual (MySQL 8.0.14+): the secondary password stops working. */
export function discardOldPasswordStatement(account: MysqlAccount | 'self'): Statement {
  return account === 'self' ? { sql: 'ALTER USER CURRENT_USER() DISCARD OLD PASSWORD', values: [] } : { sql: 'ALTER USER ?@? DISCARD OLD PASSWORD', values: [account.user, account.host] };
}
