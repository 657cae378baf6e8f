import { createHash } from 'node:crypto';

/**
 * The form in which MySQL and MariaDB store a `mysql_native_password` password: '*' followed by
 * SHA1(SHA1(password)) in upper-case hex (41 characters). Sending this instead of the password
 * (`IDENTIFIED BY PASSWORD '<hash>'`, `SET PASSWORD = '<hash>'`) keeps the plaintext out of the
 * statement, and so out of the server's general, slow and binary logs, which on MariaDB record
 * `IDENTIFIED BY '<plaintext>'` as sent.
 */
export function nativePasswordHash(password: string): string {
  const once = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(once).digest('hex').toUpperCase()}`;
}
