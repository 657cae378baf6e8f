/**
 * Which server Latchkey is talking to, from `SELECT VERSION()` ("10.11.19-MariaDB-0+deb12u1-log",
 * "8.0.36", "8.4.2-commercial"), and what it can do for a rotation.
 */
export interface MysqlServer {
  product: 'mariadb' | 'mysql';
  version: [number, number, number];
  /** As the server reported it, for messages. */
  text: string;
}

export function parseServerVersion(text: string): MysqlServer {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(text);
  const version: [number, number, number] = match === null ? [0, 0, 0] : [Number(match[1]), Number(match[2]), Number(match[3])];
  return { product: /mariadb/i.test(text) ? 'mariadb' : 'mysql', version, text };
}

export function atLeast(server: MysqlServer, major: number, minor: number, patch: number): boolean {
  const [a, b, c] = server.version;
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
}

/** MySQL 8.0.14 and later keep two passwords per account (RETAIN CURRENT PASSWORD … DISCARD OLD PASSWORD); MariaDB does not. */
export function hasDualPasswords(server: MysqlServer): boolean {
  return server.product === 'mysql' && atLeast(server, 8, 0, 14);
}

/**
 * MySQL 5.7.6 and later rewrite the password of ALTER USER … IDENTIFIED BY in their general, slow and
 * binary logs (unless started with --log-raw); MariaDB writes statements to its logs as received.
 */
export function rewritesPasswordsInLogs(server: MysqlServer): boolean {
  return server.product === 'mysql' && atLeast(server, 5, 7, 6);
}

export function describeServer(server: MysqlServer): string {
  return `${server.product === 'mariadb' ? 'MariaDB' : 'MySQL'} ${server.version.join('.')}`;
}
