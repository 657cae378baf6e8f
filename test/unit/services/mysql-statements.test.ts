import { describe, expect, it } from 'vitest';
import { parseCreateUser, unsupportedAuthentication } from '../../../electron/core/services/mysql/mysql-account';
import { mysqlSettingsFromUrl } from '../../../electron/core/services/mysql/mysql-settings';
import { nativePasswordHash } from '../../../electron/core/services/mysql/native-password';
import { discardOldPasswordStatement, passwordStatement } from '../../../electron/core/services/mysql/password-statements';
import { hasDualPasswords, parseServerVersion } from '../../../electron/core/services/mysql/server-version';

/**
 * What the mysql driver sends to each kind of server. MariaDB paths also run on a real MariaDB
 * (test/integration/services/mysql-driver.test.ts); no MySQL 8 server installs on these machines, so
 * the MySQL statements are pinned here against MySQL's documented syntax.
 */
const mariadb = parseServerVersion('10.11.19-MariaDB-0+deb12u1-log');
const mysql8 = parseServerVersion('8.0.36');
const mysql57 = parseServerVersion('5.7.44-log');
const account = { user: 'app', host: '%' };

describe('mysql driver statements', () => {
  it('tells MariaDB from MySQL and knows which keeps two passwords', () => {
    expect(mariadb).toMatchObject({ product: 'mariadb', version: [10, 11, 19] });
    expect(mysql8).toMatchObject({ product: 'mysql', version: [8, 0, 36] });
    expect([mariadb, mysql8, mysql57, parseServerVersion('8.0.13')].map(hasDualPasswords)).toEqual([false, true, false, false]);
  });

  it('MariaDB gets only the mysql_native_password hash, never the password', () => {
    expect(nativePasswordHash('password')).toBe('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
    const admin = passwordStatement(mariadb, { account, password: 'pw-canary' });
    expect(admin).toEqual({ sql: 'ALTER USER ?@? IDENTIFIED BY PASSWORD ?', values: ['app', '%', nativePasswordHash('pw-canary')] });
    expect(passwordStatement(mariadb, { account: 'self', password: 'pw-canary', currentPassword: 'old' })).toEqual({ sql: 'SET PASSWORD = ?', values: [nativePasswordHash('pw-canary')] });
    expect(passwordStatement(mariadb, { account, password: 'x', unlock: true }).sql).toBe('ALTER USER ?@? IDENTIFIED BY PASSWORD ? ACCOUNT UNLOCK');
    expect(() => passwordStatement(mariadb, { account, password: 'x', retainCurrent: true })).toThrow(/alternating/);
  });

  it('MySQL 8 gets IDENTIFIED BY (rewritten in its logs), RETAIN CURRENT PASSWORD for dual, REPLACE in self mode', () => {
    expect(passwordStatement(mysql8, { account, password: 'new', retainCurrent: true })).toEqual({ sql: 'ALTER USER ?@? IDENTIFIED BY ? RETAIN CURRENT PASSWORD', values: ['app', '%', 'new'] });
    expect(passwordStatement(mysql8, { account: 'self', password: 'new', currentPassword: 'old', retainCurrent: true })).toEqual({
      sql: 'ALTER USER CURRENT_USER() IDENTIFIED BY ? REPLACE ? RETAIN CURRENT PASSWORD',
      values: ['new', 'old'],
    });
    expect(discardOldPasswordStatement(account)).toEqual({ sql: 'ALTER USER ?@? DISCARD OLD PASSWORD', values: ['app', '%'] });
    expect(() => passwordStatement(mysql57, { account, password: 'x', retainCurrent: true })).toThrow(/8\.0\.14/);
    expect(() => passwordStatement(parseServerVersion('5.6.51'), { account, password: 'x' })).toThrow(/5\.7\.6/);
  });

  it('reads the authentication plugins from SHOW CREATE USER, and refuses what it cannot change without the plaintext', () => {
    expect(parseCreateUser("CREATE USER `app`@`%` IDENTIFIED BY PASSWORD '*A6411F72C3053E55C7DD07DC69B485E7A8C3DBD9'", mariadb)).toEqual(['mysql_native_password']);
    expect(parseCreateUser('CREATE USER `app`@`%`', mariadb)).toEqual([]);
    expect(parseCreateUser("CREATE USER `e`@`%` IDENTIFIED VIA ed25519 USING 'Gv2J+yJ/dOlj4R1bfK4' OR mysql_native_password USING '*A64' PASSWORD EXPIRE INTERVAL 30 DAY", mariadb)).toEqual([
      'ed25519',
      'mysql_native_password',
    ]);
    expect(parseCreateUser('CREATE USER `s`@`localhost` IDENTIFIED VIA unix_socket', mariadb)).toEqual(['unix_socket']);
    expect(parseCreateUser("CREATE USER `app`@`%` IDENTIFIED WITH 'caching_sha2_password' AS '$A$005$x' REQUIRE NONE", mysql8)).toEqual(['caching_sha2_password']);

    expect(unsupportedAuthentication(mariadb, 'app', ['mysql_native_password'])).toBeUndefined();
    expect(unsupportedAuthentication(mariadb, 'app', [])).toBeUndefined();
    expect(unsupportedAuthentication(mariadb, 'app', ['ed25519'])).toMatch(/ed25519/);
    expect(unsupportedAuthentication(mariadb, 'app', ['mysql_native_password', 'unix_socket'])).toMatch(/several methods/);
    expect(unsupportedAuthentication(mysql8, 'app', ['caching_sha2_password'])).toBeUndefined();
    expect(unsupportedAuthentication(mysql8, 'app', ['auth_socket'])).toMatch(/command rotator/);
  });

  it('splits an admin URL into settings and the admin credential', () => {
    expect(mysqlSettingsFromUrl(new URL('mysql://admin:p%40ss@db.internal:3307/?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ca.pem&account-host=10.0.%25'))).toEqual({
      settings: { host: 'db.internal', port: 3307, user: 'admin', accountHost: '10.0.%', tls: { verify: true, caFile: '/etc/ca.pem' } },
      admin: { user: 'admin', secret: 'p@ss' },
    });
    expect(mysqlSettingsFromUrl(new URL('mariadb://127.0.0.1'))).toEqual({ settings: { host: '127.0.0.1', port: 3306, accountHost: '%' } });
    expect(() => mysqlSettingsFromUrl(new URL('mysql://admin:pw@h/?ssl-mode=PREFERRED'))).toThrow(/PREFERRED/);
    expect(() => mysqlSettingsFromUrl(new URL('mysql://admin:pw@h/?password=x'))).toThrow(/does not know: password/);
    expect(() => mysqlSettingsFromUrl(new URL('postgres://admin:pw@h/'))).toThrow(/mysql:\/\//);
  });
});
