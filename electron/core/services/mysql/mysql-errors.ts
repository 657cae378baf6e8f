import { backendUnavailable, cancelled, invalidInput, isLatchkeyError, LatchkeyError, notFound, permissionDenied, unauthenticated } from '../../errors';
import { isNetworkFailure, isUnknownHost, safeCause } from '../../secrets/remote/safe-cause';

/**
 * mysql2's errors as Latchkey errors. A mysql2 error carries the statement it failed on (`sql`), which
 * may hold a password hash or, on MySQL, the password itself: only its code survives (safeCause), and
 * messages are written here, naming the service and the account, never a credential.
 */
export interface MysqlErrorContext {
  /** The service's name (`mysql-prod`). */
  service: string;
  /** Whose login this was, for messages: "the admin account admin", "the current password of app". */
  login: string;
  /** admin: the service's admin account; self: the account with its current password; login: any other login. */
  who: 'admin' | 'self' | 'login';
  /** The account being worked on (`'app'@'%'`), when there is one. */
  account?: string;
}

/** The server's error numbers Latchkey tells apart (MySQL and MariaDB share them). */
const ER_DBACCESS_DENIED = 1044;
const ER_ACCESS_DENIED = 1045;
const ER_TABLEACCESS_DENIED = 1142;
const ER_SPECIFIC_ACCESS_DENIED = 1227;
const ER_CANNOT_USER = 1396;
const ER_NONEXISTING_GRANT = 1141;
/** SHOW CREATE USER of an account that does not exist: "Can't find any matching row in the user table". */
const ER_PASSWORD_NO_MATCH = 1133;
const ER_NOT_VALID_PASSWORD = 1819;
const ER_OPTION_PREVENTS_STATEMENT = 1290;
const ER_ACCOUNT_HAS_BEEN_LOCKED = 4151;
const ER_MUST_CHANGE_PASSWORD_LOGIN = 1862;
const MYSQL_ER_ACCOUNT_HAS_BEEN_LOCKED = 3118;

function errnoOf(error: unknown): number | undefined {
  const errno = (error as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' ? errno : undefined;
}

export function mapMysqlError(error: unknown, context: MysqlErrorContext): LatchkeyError {
  if (isLatchkeyError(error)) return error;
  const cause = safeCause(error);
  const errno = errnoOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  const account = context.account ?? 'the account';
  if (code === 'LATCHKEY_ABORTED') return cancelled(`The step at MySQL service "${context.service}" was stopped (timeout or cancel).`);
  if (isUnknownHost(error)) return invalidInput(`The host of MySQL service "${context.service}" does not exist (DNS). Check its address with \`latchkey services ls\`.`, { cause });
  if (isNetworkFailure(error) || code === 'PROTOCOL_CONNECTION_LOST' || code === 'PROTOCOL_SEQUENCE_TIMEOUT' || code === 'ECONNREFUSED') {
    return backendUnavailable(`MySQL service "${context.service}" cannot be reached (${typeof code === 'string' ? code : 'no answer'}). Check that the server is running and reachable, then try again.`, { cause });
  }
  if (code === 'HANDSHAKE_SSL_ERROR' || code === 'HANDSHAKE_NO_SSL_SUPPORT' || (typeof code === 'string' && /CERT|SSL|TLS/.test(code))) {
    return backendUnavailable(`The TLS connection to MySQL service "${context.service}" failed (${String(code)}). Check its ssl-mode and CA certificate.`, { cause });
  }
  switch (errno) {
    case ER_ACCESS_DENIED:
      if (context.who === 'admin') {
        return unauthenticated(`MySQL service "${context.service}" refused ${context.login}. Store the right admin URL with: printf %s "$ADMIN_URL" | latchkey services update ${context.service} --url-stdin`, { cause });
      }
      if (context.who === 'self') {
        return unauthenticated(`MySQL service "${context.service}" refused ${context.login}: the stored value no longer logs in, so it cannot change itself. Set the value that works (latchkey secrets set), or rotate through a service with an admin account.`, { cause });
      }
      return unauthenticated(`MySQL service "${context.service}" refused ${context.login}.`, { cause });
    case ER_ACCOUNT_HAS_BEEN_LOCKED:
    case MYSQL_ER_ACCOUNT_HAS_BEEN_LOCKED:
      return unauthenticated(`MySQL service "${context.service}" refused ${context.login}: the account is locked (ALTER USER … ACCOUNT UNLOCK).`, { cause });
    case ER_MUST_CHANGE_PASSWORD_LOGIN:
      return unauthenticated(`MySQL service "${context.service}" says the password of ${context.login} has expired and must be changed by an administrator.`, { cause });
    case ER_DBACCESS_DENIED:
    case ER_TABLEACCESS_DENIED:
    case ER_SPECIFIC_ACCESS_DENIED:
      return permissionDenied(`${capitalize(context.login)} may not change ${account} on MySQL service "${context.service}". Grant it CREATE USER (GRANT CREATE USER ON *.* TO …), or use --self to let the account change its own password.`, { cause });
    case ER_CANNOT_USER:
    case ER_NONEXISTING_GRANT:
    case ER_PASSWORD_NO_MATCH:
      return notFound(`MySQL service "${context.service}" has no account ${account}. Check the user name (and the service's account host).`, { cause });
    case ER_NOT_VALID_PASSWORD:
      return invalidInput(
        `MySQL service "${context.service}" refused the new password of ${account} under its password policy. On MariaDB a password validation plugin with strict_password_validation=ON refuses password hashes; Latchkey sends only hashes there, so turn strict_password_validation off or use a command rotator.`,
        { cause },
      );
    case ER_OPTION_PREVENTS_STATEMENT:
      return permissionDenied(`MySQL service "${context.service}" is read-only (--read-only or --super-read-only); change ${account} on the primary.`, { cause });
    default:
      return backendUnavailable(`MySQL service "${context.service}" failed the request${typeof code === 'string' ? ` (${code})` : ''}. Try again; if it persists, check the server's error log.`, { cause });
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
