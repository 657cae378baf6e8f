import { backendUnavailable, conflict, invalidInput, LatchkeyError, notFound, permissionDenied, unauthenticated } from '../../../errors';
import { TransientBackendError } from '../../remote/retry';
import { isNetworkFailure, isUnknownHost, safeCause } from '../../remote/safe-cause';
import { MAX_RESPONSE_BYTES, VaultTransportError } from './vault-transport';

/** What Vault answered with, when it answered: node-vault's ApiResponseError carries status and body. */
export interface VaultReply {
  status: number;
  errors: string[];
  body: unknown;
}

export function vaultReplyOf(error: unknown): VaultReply | undefined {
  const response = (error as { response?: { statusCode?: unknown; body?: unknown } } | null)?.response;
  if (response === undefined || typeof response.statusCode !== 'number') return undefined;
  const body = response.body as { errors?: unknown } | undefined;
  const errors = Array.isArray(body?.errors) ? body.errors.filter((item): item is string => typeof item === 'string') : [];
  return { status: response.statusCode, errors, body: response.body };
}

export const CAS_MISMATCH = 'check-and-set parameter did not match';
export const CAS_REQUIRED = 'check-and-set parameter required';

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_)/;

export interface VaultErrorContext {
  /** "Vault at vault.example.com". */
  target: string;
  /** What was being touched: 'secret "github/token" on mount "secret"'. */
  what: string;
}

/**
 * Vault's answer (or the failure to get one) as a LatchkeyError. Vault's own error strings are only
 * matched, never passed on: a message names the backend and the path, never a value.
 */
export function mapVaultError(error: unknown, context: VaultErrorContext): LatchkeyError {
  if (error instanceof LatchkeyError) return error;
  const cause = safeCause(error);
  const reply = vaultReplyOf(error);
  const { target, what } = context;
  if (error instanceof VaultTransportError && error.code === 'VAULT_RESPONSE_TOO_LARGE') {
    return backendUnavailable(`${target} answered the request for ${what} with more than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB, far more than any answer of Vault's KV API. Check the address of the connection.`, { cause });
  }
  if (error instanceof VaultTransportError && error.code === 'VAULT_REDIRECT_REFUSED') {
    return backendUnavailable(`${target} redirected the request for ${what} elsewhere (${error.message}), which Latchkey does not follow, so the token was not sent there. Set the connection's address to the active node's https address.`, { cause });
  }
  if (reply === undefined) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && TLS_CODES.test(code)) {
      return backendUnavailable(`${target} presented a certificate Latchkey cannot verify (${code}). Set the CA certificate of the connection, or fix the server name.`, { cause });
    }
    if (isUnknownHost(error)) return backendUnavailable(`${target} cannot be found: the host name does not resolve. Check the address of the connection (VAULT_ADDR).`, { cause });
    if (isNetworkFailure(error)) return new TransientBackendError(`${target} could not be reached. Check that Vault is running and the network allows the connection, then try again.`, { cause });
    return backendUnavailable(`${target} could not be reached (${cause.code ?? cause.name}). Check the address of the connection.`, { cause });
  }
  const said = (text: string) => reply.errors.some((line) => line.includes(text));
  switch (reply.status) {
    case 400:
      if (said(CAS_MISMATCH)) return conflict(`${what} changed since it was read: someone else wrote a newer version. Read it again, then retry your change.`, { cause });
      if (said(CAS_REQUIRED)) return conflict(`${what} requires check-and-set: read it first and write with the version you read.`, { cause });
      if (said('invalid role or secret') || said('missing role_id') || said('invalid secret id') || said('invalid role id')) {
        return unauthenticated(`${target} refused the AppRole login: the role id or secret id is wrong or expired.`, { cause });
      }
      return invalidInput(`${target} refused the request for ${what} as invalid. Check the path and the value's size.`, { cause });
    case 401:
      return unauthenticated(`${target} needs a valid token for ${what}.`, { cause });
    case 403:
      return permissionDenied(`${target} denied access to ${what}: the token's policies do not allow it.`, { cause });
    case 404:
      return notFoundOf(reply, context, cause);
    case 405:
      return invalidInput(`${target} does not support this operation on ${what}. Is the mount a KV version 2 engine?`, { cause });
    case 412:
    case 473:
      return new TransientBackendError(`${target} is not ready to answer for ${what} yet (a standby node). Try again shortly.`, { cause });
    case 413:
      return invalidInput(`${target} refused ${what}: the request is larger than it accepts. Store a smaller value.`, { cause });
    case 429:
      // node-vault does not expose response headers, so Vault's Retry-After is not seen; backoff applies.
      return new TransientBackendError(`${target} is rate-limiting requests. Wait a moment and try again.`, { cause });
    default:
      if (reply.status >= 500) {
        const sealed = said('sealed');
        return new TransientBackendError(sealed ? `${target} is sealed. Unseal it, then try again.` : `${target} had an internal error (HTTP ${reply.status}). Try again; if it persists, check the server's logs.`, { cause });
      }
      return backendUnavailable(`${target} answered HTTP ${reply.status} for ${what}, which Latchkey does not expect.`, { cause });
  }
}

function notFoundOf(reply: VaultReply, context: VaultErrorContext, cause: ReturnType<typeof safeCause>): LatchkeyError {
  if (reply.errors.some((line) => line.includes('no handler for route'))) {
    return invalidInput(`${context.target} has no KV engine at this mount for ${context.what}. Check the mount (VAULT_MOUNT) and the namespace.`, { cause });
  }
  const metadata = (reply.body as { data?: { metadata?: { deletion_time?: unknown; destroyed?: unknown; version?: unknown } } } | undefined)?.data?.metadata;
  if (metadata?.destroyed === true) {
    return notFound(`Version ${String(metadata.version)} of ${context.what} was destroyed; its value cannot be recovered. Read another version.`, { cause });
  }
  if (typeof metadata?.deletion_time === 'string' && metadata.deletion_time !== '') {
    return notFound(`Version ${String(metadata.version)} of ${context.what} was deleted on ${metadata.deletion_time}. Restore it to read it again.`, { cause });
  }
  return notFound(`${context.target} has no ${context.what}.`, { cause });
}
