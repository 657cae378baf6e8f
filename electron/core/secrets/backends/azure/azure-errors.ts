import { backendUnavailable, conflict, invalidInput, LatchkeyError, notFound, permissionDenied, unauthenticated } from '../../../errors';
import { TransientBackendError } from '../../remote/retry';
import { httpStatusOf, isNetworkFailure, isUnknownHost, parseRetryAfter, safeCause } from '../../remote/safe-cause';

/**
 * Azure Key Vault errors (RestError: HTTP status, Key Vault's error code and inner error code) as
 * LatchkeyErrors. Azure's messages are never passed on; the codes decide.
 */
export interface AzureErrorContext {
  /** "Azure Key Vault myvault". */
  target: string;
  what: string;
  credentialsLabel: string;
}

export interface AzureFailure {
  status: number | undefined;
  code: string | undefined;
  innerCode: string | undefined;
  retryAfter: string | undefined;
}

type ErrorBody = { error?: { code?: unknown; innerError?: { code?: unknown }; innererror?: { code?: unknown } } };

/** Status, Key Vault error code and inner error code (the SDK's `details` says innerError; the wire says innererror). */
export function azureFailureOf(error: unknown): AzureFailure {
  const record = (error ?? {}) as { code?: unknown; details?: ErrorBody; response?: { headers?: { get?: (name: string) => string | undefined }; bodyAsText?: unknown } };
  let body = record.details;
  if (body?.error === undefined && typeof record.response?.bodyAsText === 'string') {
    try {
      body = JSON.parse(record.response.bodyAsText) as ErrorBody;
    } catch {
      body = undefined;
    }
  }
  const code = body?.error?.code ?? record.code;
  const inner = body?.error?.innerError?.code ?? body?.error?.innererror?.code;
  const retryAfter = typeof record.response?.headers?.get === 'function' ? record.response.headers.get('retry-after') : undefined;
  return {
    status: httpStatusOf(error),
    code: typeof code === 'string' ? code : undefined,
    innerCode: typeof inner === 'string' ? inner : undefined,
    retryAfter: retryAfter ?? undefined,
  };
}

export function mapAzureError(error: unknown, context: AzureErrorContext): LatchkeyError {
  if (error instanceof LatchkeyError) return error;
  const cause = safeCause(error);
  const { target, what, credentialsLabel } = context;
  const failure = azureFailureOf(error);
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'CredentialUnavailableError' || name === 'AuthenticationError' || name === 'AggregateAuthenticationError') {
    return unauthenticated(`No usable Azure credentials for ${target} from ${credentialsLabel}. Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or sign in with az login.`, { cause });
  }
  // @azure/identity's wrapping of Microsoft Entra ID refusing the sign-in (AADSTS…): a wrong or expired
  // client secret, a client id or tenant it does not know.
  if (name === 'AuthenticationRequiredError') {
    return unauthenticated(
      `Microsoft Entra ID refused to sign in with the Azure credentials from ${credentialsLabel}, so ${target} cannot be reached. Check the tenant id, the client id and the client secret (it may be wrong or expired), then enter them again.`,
      { cause },
    );
  }
  switch (failure.status) {
    case 400:
      return invalidInput(`${target} refused the request for ${what} as invalid: check the name (letters, digits, "-"), the tags and the value's size.`, { cause });
    case 401:
      return unauthenticated(`${target} did not accept the Azure credentials from ${credentialsLabel}: the token is missing, expired or revoked. Sign in again and retry.`, { cause });
    case 403:
      if (failure.innerCode === 'SecretDisabled') return notFound(`The requested version of ${what} is disabled in ${target}. Enable it, or read another version.`, { cause });
      if (failure.innerCode === 'PurgeProtectionEnabled') return permissionDenied(`${target} has purge protection: ${what} stays recoverable until its retention ends and cannot be purged now.`, { cause });
      return permissionDenied(`${target} denied access to ${what}: the identity needs an access policy or RBAC role (e.g. Key Vault Secrets Officer) for it.`, { cause });
    case 404:
      return notFound(`${target} has no ${what}.`, { cause });
    case 409:
      if (failure.innerCode === 'ObjectIsDeletedButRecoverable') {
        return conflict(`${what} is deleted but recoverable in ${target}; recover it or purge it before reusing the name.`, { cause });
      }
      return conflict(`${target} refused a conflicting change to ${what}. Try again.`, { cause });
    case 429: {
      const retryAfter = parseRetryAfter(failure.retryAfter);
      return new TransientBackendError(`${target} is throttling requests. Wait a moment and try again.`, { cause, ...(retryAfter === undefined ? {} : { serverRetryAfterMs: retryAfter }) });
    }
    default:
      break;
  }
  if (failure.status !== undefined && failure.status >= 500) return new TransientBackendError(`${target} had an internal error. Try again shortly.`, { cause });
  if (isUnknownHost(error)) return backendUnavailable(`${target} cannot be found: the vault's host name does not resolve. Check the vault name or AZURE_KEYVAULT_URL.`, { cause });
  if (isNetworkFailure(error) || (error as { code?: unknown } | null)?.code === 'REQUEST_SEND_ERROR') {
    return new TransientBackendError(`${target} could not be reached. Check the network and the vault URL, then try again.`, { cause });
  }
  return backendUnavailable(`${target} answered a request for ${what} with something Latchkey does not understand. Check the vault URL of the connection.`, { cause });
}
