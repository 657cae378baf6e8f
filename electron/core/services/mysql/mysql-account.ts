import { invalidInput, isLatchkeyError, notFound, permissionDenied } from '../../errors';
import type { MysqlSession } from './mysql-session';
import { describeServer, type MysqlServer } from './server-version';

/**
 * A MySQL/MariaDB account is a user name and the host pattern it logs in from ('app'@'%'); ALTER USER
 * names both. And how the account authenticates, which decides whether Latchkey can change its password
 * without the plaintext reaching the server's logs.
 */
export interface MysqlAccount {
  user: string;
  host: string;
}

export function accountLabel(account: MysqlAccount): string {
  return `'${account.user}'@'${account.host}'`;
}

/** Authentication plugins, in order; empty when the account has no password at all. */
export type AuthPlugins = string[];

/** CURRENT_USER() is "user@host"; a user name may itself hold '@', the host part never does. */
export async function currentAccount(session: MysqlSession): Promise<MysqlAccount> {
  const [row] = await session.query<{ account: string }>('SELECT CURRENT_USER() AS account');
  const text = row?.account ?? '';
  const at = text.lastIndexOf('@');
  return { user: text.slice(0, at), host: text.slice(at + 1) };
}

/**
 * How `account` authenticates. SHOW CREATE USER needs SELECT on the mysql schema for another account
 * (never for one's own); with only SELECT on mysql.global_priv (MariaDB) or mysql.user (MySQL), the
 * table says the same.
 */
/** The session maps the server's privilege errors (1044, 1142, 1227) to PermissionDenied. */
const isPrivilegeError = (error: unknown) => isLatchkeyError(error) && error.kind === 'PermissionDenied';

export async function readAuthPlugins(session: MysqlSession, account: MysqlAccount | 'self', service: string): Promise<AuthPlugins> {
  const target = account === 'self' ? 'CURRENT_USER()' : '?@?';
  const values = account === 'self' ? [] : [account.user, account.host];
  try {
    const [row] = await session.query<Record<string, string>>(`SHOW CREATE USER ${target}`, values);
    return parseCreateUser(Object.values(row ?? {})[0] ?? '', session.server);
  } catch (error) {
    if (account === 'self' || !isPrivilegeError(error)) throw error;
  }
  try {
    return await readPluginsFromTable(session, account, service);
  } catch (error) {
    if (!isPrivilegeError(error)) throw error;
    const table = session.server.product === 'mariadb' ? 'mysql.global_priv' : 'mysql.user';
    throw permissionDenied(
      `The admin account of MySQL service "${service}" cannot see how ${accountLabel(account)} authenticates, which Latchkey checks before changing it. Grant it SELECT ON ${table} (or SELECT ON mysql.*).`,
    );
  }
}

async function readPluginsFromTable(session: MysqlSession, account: MysqlAccount, service: string): Promise<AuthPlugins> {
  if (session.server.product === 'mariadb') {
    const rows = await session.query<{ plugin: string | null; auth_or: string | null }>(
      "SELECT JSON_VALUE(Priv, '$.plugin') AS plugin, JSON_QUERY(Priv, '$.auth_or') AS auth_or FROM mysql.global_priv WHERE User = ? AND Host = ?",
      [account.user, account.host],
    );
    const row = rows[0];
    if (row === undefined) throw noAccount(account, service);
    if (row.auth_or !== null) {
      const chain = JSON.parse(row.auth_or) as { plugin?: string }[];
      return chain.map((step) => step.plugin ?? 'mysql_native_password');
    }
    return row.plugin === null || row.plugin === '' ? [] : [row.plugin];
  }
  const rows = await session.query<{ plugin: string }>('SELECT plugin FROM mysql.user WHERE User = ? AND Host = ?', [account.user, account.host]);
  if (rows[0] === undefined) throw noAccount(account, service);
  return [rows[0].plugin];
}

export function noAccount(account: MysqlAccount, service: string) {
  return notFound(`MySQL service "${service}" has no account ${accountLabel(account)}. Check the user name (and the service's account host, '%' unless set).`);
}

/**
 * The plugins in SHOW CREATE USER's answer. MariaDB: `IDENTIFIED BY PASSWORD '*…'`, `IDENTIFIED VIA p
 * [USING '…'] [OR q …]`, or nothing (no password). MySQL: `IDENTIFIED WITH 'p' [AS '…']`.
 */
export function parseCreateUser(statement: string, server: MysqlServer): AuthPlugins {
  if (server.product === 'mysql') {
    const plugin = /IDENTIFIED WITH '?(\w+)'?/.exec(statement)?.[1];
    return plugin === undefined ? [] : [plugin];
  }
  if (/ IDENTIFIED BY PASSWORD '/.test(statement)) return ['mysql_native_password'];
  const via = / IDENTIFIED VIA (.*)$/s.exec(statement)?.[1];
  if (via === undefined) return [];
  // Methods in order: a plugin name, maybe `USING '<string>'` (quotes inside doubled or escaped), joined by OR.
  const method = /(?:^|\s+OR\s+)(\w+)(?:\s+USING\s+'(?:[^'\\]|\\.|'')*')?/y;
  const plugins: string[] = [];
  for (let match = method.exec(via); match !== null; match = method.exec(via)) plugins.push(match[1]!);
  return plugins;
}

const MARIADB_HASHABLE = new Set(['mysql_native_password']);
const MYSQL_REWRITTEN = new Set(['mysql_native_password', 'caching_sha2_password', 'sha256_password']);

/**
 * Why Latchkey will not change this account's password, or undefined when it can. On MariaDB only a
 * single mysql_native_password method (or no password yet) can be set from a hash computed here: any
 * other plugin would need the plaintext in the statement, and ALTER USER … IDENTIFIED BY would also
 * silently replace a chain of methods (`VIA ed25519 OR unix_socket`) with one. On MySQL the server
 * rewrites the password in its logs for the password plugins it ships.
 */
export function unsupportedAuthentication(server: MysqlServer, account: string, plugins: AuthPlugins): string | undefined {
  if (server.product === 'mariadb') {
    if (plugins.length > 1) {
      return `${account} on ${describeServer(server)} authenticates with several methods (${plugins.join(' OR ')}); changing its password would replace them all. Latchkey changes only accounts with one mysql_native_password method; use a command rotator for this one.`;
    }
    if (plugins.length === 1 && !MARIADB_HASHABLE.has(plugins[0]!)) {
      return `${account} on ${describeServer(server)} authenticates with ${plugins[0]}. Latchkey changes MariaDB passwords only as mysql_native_password hashes, so that the plaintext never reaches the server's logs; switch the account (ALTER USER … IDENTIFIED VIA mysql_native_password) or use a command rotator.`;
    }
    return undefined;
  }
  if (plugins.length === 1 && !MYSQL_REWRITTEN.has(plugins[0]!)) {
    return `${account} on ${describeServer(server)} authenticates with ${plugins[0]}, which has no password Latchkey can change; use a command rotator.`;
  }
  return undefined;
}

export function refuseUnsupported(server: MysqlServer, account: string, plugins: AuthPlugins): void {
  const reason = unsupportedAuthentication(server, account, plugins);
  if (reason !== undefined) throw invalidInput(reason);
}
