import { backendUnavailable, invalidInput, isLatchkeyError, LatchkeyError, notFound, permissionDenied, unauthenticated } from '../../errors';

/**
 * A Postgres failure as a LatchkeyError that says what to do. Postgres's own messages are never passed
 * on (they may quote a statement); the SQLSTATE decides. `who` says whose credential was used.
 */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** Server shutting down, starting up, or out of connections. */
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004']);

export function postgresFailure(error: unknown, service: string, context: { who: 'admin' | 'self' | 'login'; user?: string | undefined; role?: string | undefined }): LatchkeyError {
  if (isLatchkeyError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  const login = context.user === undefined ? 'the role' : `role ${context.user}`;
  const changed = context.role ?? context.user;
  const role = changed === undefined ? 'the role' : `role ${changed}`;
  const options = { cause: error };
  if (typeof code === 'string' && NETWORK.has(code)) return unreachable(service, options);
  if (/timeout|Connection terminated/i.test(message) && code === undefined) return unreachable(service, options);
  switch (code) {
    case '28P01':
      if (context.who === 'admin') {
        return unauthenticated(`${service} refused the admin password of ${login}. Store the right one with: printf %s "$ADMIN_URL" | latchkey services update ${service} --url-stdin`, options);
      }
      if (context.who === 'self') {
        return unauthenticated(`${service} refused the current password of ${login}: the stored value no longer logs in, so it cannot change itself. Set the value that works (latchkey secrets set), or rotate through an admin service.`, options);
      }
      return unauthenticated(`${service} refused the password of ${login}.`, options);
    case '28000':
      return permissionDenied(`${service} does not let ${login} log in from here (pg_hba.conf, or the role is NOLOGIN).`, options);
    case '42704':
      return notFound(`${service} has no ${role}. Create it, or attach the rotator to an existing role (latchkey rotators set … --role NAME).`, options);
    case 'NOLOGIN':
      return invalidInput(`${role} on ${service} may not log in (NOLOGIN), so a new password could not be tested. Give it LOGIN, or rotate a login role.`, options);
    case '42501':
      return context.who === 'self'
        ? permissionDenied(`${role} may not change its own password on ${service}. Rotate it through an admin service instead of --self.`, options)
        : permissionDenied(`The admin role of ${service} may not change the password of ${role}: it needs SUPERUSER, or CREATEROLE over a role that is not a superuser. Grant that, or use another admin.`, options);
    case '3D000':
      return notFound(`The database of ${service} does not exist. Fix the service's address (latchkey services update ${service} --url-stdin).`, options);
    default:
      if (typeof code === 'string' && UNAVAILABLE.has(code)) return unreachable(service, options);
      if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return new LatchkeyError('BackendUnavailable', `${service} refused the request (SQLSTATE ${code}).`, options);
      return new LatchkeyError('Internal', `Talking to ${service} failed unexpectedly (details are in the log).`, options);
  }
}

function unreachable(service: string, options: { cause: unknown }): LatchkeyError {
  return backendUnavailable(`${service} is not reachable (connection refused, reset or timed out). Check that it runs and that this machine may connect, then try again.`, options);
}
