import { z } from 'zod';
import type { Credential } from '../driver';

/**
 * Where a MySQL or MariaDB service is and how Latchkey talks to it: config only, never a password. The
 * admin account's password (admin mode) lives in the OS keychain; in self mode there is none.
 */
export const mysqlSettingsSchema = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65_535).default(3306),
  /** The admin account's user name (its password is in the keychain); absent where rotators use --self. */
  user: z.string().min(1).max(80).optional(),
  /** The host part of the accounts rotators change ('app'@'%'); one per service. */
  accountHost: z.string().min(1).max(255).default('%'),
  /** TLS to the server; absent: plain TCP (a server on the same host or a private network). */
  tls: z
    .strictObject({
      /** A PEM file with the CA that signed the server's certificate; absent: the system's CAs. */
      caFile: z.string().min(1).optional(),
      /** false: encrypted but the certificate is not checked (ssl-mode=REQUIRED). */
      verify: z.boolean().default(true),
    })
    .optional(),
});

export type MysqlSettings = z.infer<typeof mysqlSettingsSchema>;

const URL_OPTIONS = new Set(['ssl-mode', 'ssl-ca', 'account-host']);
const SSL_MODES = new Set(['DISABLED', 'PREFERRED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY']);

/**
 * `mysql://admin:pw@host:3306/?ssl-mode=VERIFY_IDENTITY&ssl-ca=/path/ca.pem` (also `mariadb://`), read
 * from stdin only. The password goes to the keychain; the rest is settings. ssl-mode and ssl-ca keep
 * the names of the mysql/mariadb command-line clients; account-host is the host part of the accounts
 * rotated there (default '%'). A URL that cannot be used throws a TypeError, whose message the
 * registry shows (it never quotes the URL).
 */
export function mysqlSettingsFromUrl(url: URL): { settings: MysqlSettings; admin?: Credential } {
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') throw new TypeError('A MySQL or MariaDB service URL starts with mysql:// or mariadb://');
  if (url.hostname === '') throw new TypeError('The service URL has no host: mysql://USER:PASSWORD@HOST:3306/');
  const user = url.username === '' ? undefined : decodeURIComponent(url.username);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  if (password !== undefined && user === undefined) throw new TypeError('The service URL has a password but no user name: mysql://USER:PASSWORD@HOST:3306/');
  for (const name of url.searchParams.keys()) {
    if (!URL_OPTIONS.has(name)) throw new TypeError(`The service URL has an option Latchkey does not know: ${name}. Known: ${[...URL_OPTIONS].join(', ')}`);
  }
  const sslMode = (url.searchParams.get('ssl-mode') ?? 'DISABLED').toUpperCase();
  if (!SSL_MODES.has(sslMode)) throw new TypeError(`ssl-mode must be one of ${[...SSL_MODES].join(', ')}`);
  if (sslMode === 'PREFERRED') throw new TypeError('ssl-mode=PREFERRED falls back to plain text without saying so; choose REQUIRED, VERIFY_IDENTITY or DISABLED');
  const caFile = url.searchParams.get('ssl-ca') ?? undefined;
  const settings = mysqlSettingsSchema.parse({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    ...(user === undefined ? {} : { user }),
    ...(url.searchParams.has('account-host') ? { accountHost: url.searchParams.get('account-host') } : {}),
    ...(sslMode === 'DISABLED' ? {} : { tls: { verify: sslMode !== 'REQUIRED', ...(caFile === undefined ? {} : { caFile }) } }),
  });
  return { settings, ...(password === undefined ? {} : { admin: { user: user!, secret: password } }) };
}

export function describeMysql(settings: MysqlSettings): string {
  const tls = settings.tls === undefined ? '' : settings.tls.verify ? ' (TLS)' : ' (TLS, certificate not checked)';
  return `mysql ${settings.host}:${settings.port}${settings.user === undefined ? '' : ` as ${settings.user}`}${tls}`;
}
