import { backendUnavailable, conflict, invalidInput, LatchkeyError, notFound, permissionDenied, unauthenticated } from '../../../errors';
import { TransientBackendError } from '../../remote/retry';
import { httpStatusOf, isNetworkFailure, isUnknownHost, safeCause } from '../../remote/safe-cause';

/**
 * Google errors as LatchkeyErrors. The client (REST fallback) turns Google's `{"error": {status}}` into
 * a gRPC status code on `error.code`; google-auth-library failures carry no such code. Messages from
 * Google or from the client are matched at most, never passed on: the client's own encoding errors
 * quote the whole request, payload included.
 */
export interface GcpErrorContext {
  /** "Google Secret Manager (project my-project)". */
  target: string;
  what: string;
  credentialsLabel: string;
  /** FAILED_PRECONDITION: on access a disabled or destroyed version (NotFound); elsewhere a state conflict. */
  failedPrecondition: 'NotFound' | 'Conflict';
}

export const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const HTTP_TO_GRPC: Record<number, number> = {
  400: GRPC.INVALID_ARGUMENT,
  401: GRPC.UNAUTHENTICATED,
  403: GRPC.PERMISSION_DENIED,
  404: GRPC.NOT_FOUND,
  409: GRPC.ABORTED,
  429: GRPC.RESOURCE_EXHAUSTED,
  500: GRPC.INTERNAL,
  501: GRPC.UNIMPLEMENTED,
  502: GRPC.UNAVAILABLE,
  503: GRPC.UNAVAILABLE,
  504: GRPC.DEADLINE_EXCEEDED,
};

/**
 * The gRPC status of a failed call. Depending on the auth client, the REST fallback either decodes
 * Google's error itself (a GoogleError with the code) or lets gaxios throw on the HTTP status (a
 * GaxiosError whose message is the response body); in both, Google's `error.status` name decides.
 */
export function grpcCodeOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const record = error as { code?: unknown; message?: unknown; response?: { status?: unknown; data?: unknown } };
  if (record.response !== undefined) {
    // gaxios drops a streamed error body from `response.data` and keeps its text as the message.
    const text = typeof record.response.data === 'string' ? record.response.data : typeof record.message === 'string' ? record.message : undefined;
    let data = typeof record.response.data === 'object' && record.response.data !== null ? record.response.data : undefined;
    if (data === undefined && text !== undefined) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    const googleError = (data as { error?: unknown } | undefined)?.error;
    // An OAuth token endpoint answers {"error": "invalid_grant", …}: a credentials problem, not the API's.
    if (typeof googleError === 'string') return undefined;
    const status = (googleError as { status?: unknown } | undefined)?.status;
    if (typeof status === 'string' && status in GRPC) return GRPC[status as keyof typeof GRPC];
    return typeof record.response.status === 'number' ? (HTTP_TO_GRPC[record.response.status] ?? (record.response.status >= 500 ? GRPC.INTERNAL : undefined)) : undefined;
  }
  return typeof record.code === 'number' && record.code >= 0 && record.code <= 16 ? record.code : undefined;
}

export function mapGcpError(error: unknown, context: GcpErrorContext): LatchkeyError {
  if (error instanceof LatchkeyError) return error;
  const cause = safeCause(error);
  const { target, what, credentialsLabel } = context;
  const message = (error as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : '';
  switch (grpcCodeOf(error)) {
    case GRPC.NOT_FOUND:
      return notFound(`${target} has no ${what} (or not that version).`, { cause });
    case GRPC.ALREADY_EXISTS:
      return conflict(`${target} already has ${what}.`, { cause });
    case GRPC.ABORTED:
      return conflict(`${target} refused a change to ${what} made at the same time as another one. Try again.`, { cause });
    case GRPC.FAILED_PRECONDITION:
      return context.failedPrecondition === 'NotFound'
        ? notFound(`The requested version of ${what} is disabled or destroyed in ${target}. Enable it, or read another version.`, { cause })
        : conflict(`${target} cannot do this to ${what} in its current state (a destroyed version cannot change).`, { cause });
    case GRPC.INVALID_ARGUMENT:
    case GRPC.OUT_OF_RANGE:
      return invalidInput(`${target} refused the request for ${what} as invalid: check the name, labels, page token and the value's size.`, { cause });
    case GRPC.PERMISSION_DENIED:
      return permissionDenied(`${target} denied access to ${what}: the account needs a Secret Manager role (e.g. roles/secretmanager.secretAccessor to read) on it.`, { cause });
    case GRPC.UNAUTHENTICATED:
      return unauthenticated(`${target} did not accept the Google credentials from ${credentialsLabel}: they are invalid or expired. Refresh them (gcloud auth application-default login, or a new key) and try again.`, { cause });
    case GRPC.RESOURCE_EXHAUSTED:
      return new TransientBackendError(`${target} is over its request quota. Wait a moment and try again.`, { cause });
    case GRPC.UNAVAILABLE:
    case GRPC.DEADLINE_EXCEEDED:
    case GRPC.INTERNAL:
      return new TransientBackendError(`${target} is unavailable or had an internal error. Try again shortly.`, { cause });
    case GRPC.UNIMPLEMENTED:
      return invalidInput(`The endpoint of ${target} does not offer this operation. Check GCP_SECRET_MANAGER_ENDPOINT.`, { cause });
    default:
      break;
  }
  if (/default credentials/i.test(text)) {
    return unauthenticated(`No Google credentials were found for ${target}. Set GOOGLE_APPLICATION_CREDENTIALS to a key file, or run gcloud auth application-default login.`, { cause });
  }
  const status = httpStatusOf(error);
  if (status === 400 || status === 401 || status === 403) {
    return unauthenticated(`Google refused to issue a token for the credentials from ${credentialsLabel}. Check the key or account, then try again.`, { cause });
  }
  if (status !== undefined && status >= 500) return new TransientBackendError(`${target} had an internal error. Try again shortly.`, { cause });
  if (isUnknownHost(error)) return backendUnavailable(`${target} cannot be found: the endpoint's host name does not resolve. Check GCP_SECRET_MANAGER_ENDPOINT.`, { cause });
  if (isNetworkFailure(error)) return new TransientBackendError(`${target} could not be reached. Check the network and the endpoint, then try again.`, { cause });
  return backendUnavailable(`${target} answered a request for ${what} with something Latchkey does not understand. Check the endpoint of the connection.`, { cause });
}
