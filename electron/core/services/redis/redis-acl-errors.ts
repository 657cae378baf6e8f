import { backendUnavailable, isLatchkeyError, LatchkeyError, notFound, permissionDenied, unauthenticated } from '../../errors';

/**
 * A Redis failure while changing an ACL user, as a LatchkeyError that says what to do. Redis's and
 * ioredis's messages are matched, never repeated; `node` names the server (host:port) it came from.
 */
export function aclFailure(error: unknown, service: string, node: string, context: { who: 'admin' | 'self' | 'login'; user?: string | undefined }): LatchkeyError {
  if (isLatchkeyError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const user = context.user === undefined ? 'the user' : `user ${context.user}`;
  const options = { cause: error };
  if (/^(WRONGPASS|NOAUTH)|invalid username-password/i.test(message)) {
    if (context.who === 'admin') {
      return unauthenticated(`${service} (${node}) refused the admin credential. Store the right one with: printf %s "$ADMIN_URL" | latchkey services update ${service} --url-stdin`, options);
    }
    if (context.who === 'self') return unauthenticated(`${service} (${node}) refused the current password of ${user}: the stored value no longer logs in, so it cannot change itself.`, options);
    return unauthenticated(`${service} (${node}) refused the password of ${user}.`, options);
  }
  if (/^NOPERM/.test(message)) {
    return context.who === 'self'
      ? permissionDenied(`${user} may not change ACL users on ${service} (${node}). Give it +acl (or rotate through an admin service instead of --self).`, options)
      : permissionDenied(`The admin user of ${service} may not change ACL users on ${node} (NOPERM). It needs +acl and +info (e.g. +@admin).`, options);
  }
  const systemCode = typeof code === 'string' ? code : /\b(E[A-Z]{4,})\b/.exec(message)?.[1];
  if (systemCode !== undefined || /Connection is closed|max retries|timed out|timeout|not reachable|ended|LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN/i.test(message)) {
    return backendUnavailable(`${service} (${node}) is not reachable or not answering${systemCode === undefined ? '' : ` (${systemCode})`}. Check that it runs, then try again.`, options);
  }
  return new LatchkeyError('BackendUnavailable', `${service} (${node}) refused the request (details are in the log).`, options);
}

export function missingUser(service: string, node: string, user: string): LatchkeyError {
  return notFound(`${service} (${node}) has no ACL user ${user}. Create it, or attach the rotator to an existing user (latchkey rotators set … --user NAME).`);
}
