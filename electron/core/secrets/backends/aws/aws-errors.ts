import { backendUnavailable, conflict, invalidInput, LatchkeyError, notFound, permissionDenied, unauthenticated } from '../../../errors';
import { TransientBackendError } from '../../remote/retry';
import { httpStatusOf, isNetworkFailure, isUnknownHost, safeCause } from '../../remote/safe-cause';

/**
 * AWS errors (the SDK names each error after the response's `__type`) as LatchkeyErrors. AWS messages
 * are matched only to tell cases apart, never passed on.
 */
export interface AwsErrorContext {
  /** "AWS Secrets Manager (us-east-1)". */
  target: string;
  /** 'secret "handsfree/github_token_user_123"'. */
  what: string;
  /** What a secret scheduled for deletion means for this operation: reads see nothing, writes conflict. */
  scheduledForDeletion: 'NotFound' | 'Conflict';
  /** Where the credentials came from, for messages. */
  credentialsLabel: string;
}

const UNAUTHENTICATED = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationTokenException',
  'MissingAuthenticationToken',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
]);
const EXPIRED = new Set(['ExpiredTokenException', 'ExpiredToken', 'RequestExpired']);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);
const SERVER = new Set(['InternalServiceError', 'InternalServiceErrorException', 'InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableException']);
const INVALID = new Set(['InvalidParameterException', 'ValidationException', 'MalformedPolicyDocumentException', 'PreconditionNotMetException', 'SerializationException']);

export function awsErrorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

function awsMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : '';
}

export function mapAwsError(error: unknown, context: AwsErrorContext): LatchkeyError {
  if (error instanceof LatchkeyError) return error;
  const cause = safeCause(error);
  const name = awsErrorName(error) ?? '';
  const { target, what, credentialsLabel } = context;
  if (name === 'ResourceNotFoundException') return notFound(`${target} has no ${what} (or not the requested version).`, { cause });
  if (name === 'ResourceExistsException') return conflict(`${target} already has ${what}.`, { cause });
  if (name === 'InvalidRequestException') {
    if (/deletion/i.test(awsMessage(error))) {
      return context.scheduledForDeletion === 'NotFound'
        ? notFound(`${what} is scheduled for deletion in ${target}. Restore it to use it again.`, { cause })
        : conflict(`${what} is scheduled for deletion in ${target}; its name cannot be reused yet. Restore it, or delete it with force first.`, { cause });
    }
    return invalidInput(`${target} refused the request for ${what} in its current state.`, { cause });
  }
  if (name === 'InvalidNextTokenException') return invalidInput('The page token is not one this listing handed out. Start the listing again from the first page.', { cause });
  if (INVALID.has(name)) return invalidInput(`${target} refused the request for ${what} as invalid: check the name, tags and the value's size.`, { cause });
  if (name === 'LimitExceededException') return invalidInput(`${target} refused ${what}: an account limit was reached (too many secrets, versions or tags).`, { cause });
  if (name === 'AccessDeniedException' || name === 'AccessDenied') return permissionDenied(`${target} denied access to ${what}: the IAM policy of these credentials does not allow it.`, { cause });
  if (name === 'DecryptionFailure' || name === 'EncryptionFailure') return permissionDenied(`${target} could not use the KMS key of ${what}: the credentials may not use that key.`, { cause });
  if (EXPIRED.has(name)) return unauthenticated(`The AWS credentials from ${credentialsLabel} have expired. Refresh them (e.g. aws sso login, or new session credentials) and try again.`, { cause });
  if (UNAUTHENTICATED.has(name)) return unauthenticated(`${target} did not accept the AWS credentials from ${credentialsLabel}: the access key is unknown or the secret key is wrong.`, { cause });
  if (name === 'CredentialsProviderError') {
    return unauthenticated(`No AWS credentials were found for ${target}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, choose a profile (AWS_PROFILE), or run where an IAM role is available.`, { cause });
  }
  if (THROTTLED.has(name)) return new TransientBackendError(`${target} is throttling requests. Wait a moment and try again.`, { cause });
  const status = httpStatusOf(error);
  if (SERVER.has(name) || (status !== undefined && status >= 500)) return new TransientBackendError(`${target} had an internal error. Try again; if it persists, check the AWS Health Dashboard.`, { cause });
  if (isUnknownHost(error)) return backendUnavailable(`${target} cannot be found: the endpoint's host name does not resolve. Check AWS_REGION and AWS_SECRETS_MANAGER_ENDPOINT.`, { cause });
  if (isNetworkFailure(error)) return new TransientBackendError(`${target} could not be reached. Check the network and the endpoint, then try again.`, { cause });
  return backendUnavailable(`${target} answered a request for ${what} with something Latchkey does not understand. Check the endpoint of the connection.`, { cause });
}
