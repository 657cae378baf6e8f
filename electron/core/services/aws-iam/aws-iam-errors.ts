import { backendUnavailable, conflict, invalidInput, isLatchkeyError, type LatchkeyError, notFound, permissionDenied, unauthenticated } from '../../errors';
import { httpStatusOf, isNetworkFailure, isUnknownHost, safeCause } from '../../secrets/remote/safe-cause';

/**
 * IAM and STS errors (the SDK names each after the XML error's Code) as LatchkeyErrors that say what to
 * do. AWS's messages are never passed on; access key ids (identifiers, not secrets) may be named.
 */
export interface IamErrorContext {
  /** The service's name (`iam-prod`). */
  service: string;
  /** Whose credentials signed: "the admin credentials of connection prod-aws", "the new access key AKIA…". */
  signer: string;
  /** The IAM user being worked on. */
  user?: string;
  /** The IAM action, for permission errors (`iam:CreateAccessKey`). */
  action?: string;
}

const REFUSED_KEY = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'IncompleteSignature', 'MissingAuthenticationToken', 'UnrecognizedClientException', 'InvalidSignatureException']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);

export function iamErrorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}

/**
 * AWS does not know the signing key (InvalidClientTokenId): it is Inactive, deleted, or — for seconds
 * after CreateAccessKey — not yet propagated. A wrong secret or region is SignatureDoesNotMatch instead.
 */
export function isUnknownKey(error: unknown): boolean {
  const name = iamErrorName(error);
  return name === 'InvalidClientTokenId' || name === 'UnrecognizedClientException';
}

export function iamFailure(error: unknown, context: IamErrorContext): LatchkeyError {
  if (isLatchkeyError(error)) return error;
  const cause = safeCause(error);
  const name = iamErrorName(error);
  const user = context.user === undefined ? 'the IAM user' : `IAM user ${context.user}`;
  if (name === 'NoSuchEntityException' || name === 'NoSuchEntity') return notFound(`AWS IAM (${context.service}) has no ${user} (or no such access key of it). Check the user name of the rotator.`, { cause });
  if (name === 'LimitExceededException' || name === 'LimitExceeded') {
    return conflict(`${capitalize(user)} already has two access keys, the most IAM allows. Delete the one not in use (aws iam delete-access-key --user-name ${context.user ?? 'USER'} --access-key-id …) and rotate again.`, { cause });
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return permissionDenied(`AWS IAM (${context.service}) did not let ${context.signer} ${context.action ?? 'manage the access keys'} of ${user}. Allow it in their IAM policy (iam:GetUser, iam:ListAccessKeys, iam:CreateAccessKey, iam:UpdateAccessKey, iam:DeleteAccessKey and iam:GetAccessKeyLastUsed on the user).`, { cause });
  }
  if (EXPIRED.has(name)) return unauthenticated(`${capitalize(context.signer)} have expired (AWS ${context.service}). Refresh them and try again.`, { cause });
  if (REFUSED_KEY.has(name)) return unauthenticated(`AWS (${context.service}) does not accept ${context.signer}: the access key is unknown, Inactive or deleted, or the secret key is wrong.`, { cause });
  if (name === 'CredentialsProviderError') {
    return unauthenticated(`No AWS credentials were found for ${context.service}. Name a saved AWS connection (--connection), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE.`, { cause });
  }
  if (name === 'ValidationError' || name === 'InvalidInputException') return invalidInput(`AWS IAM (${context.service}) refused the request as invalid: check the IAM user name.`, { cause });
  if (THROTTLED.has(name)) return backendUnavailable(`AWS (${context.service}) is throttling requests. Wait a moment and try again.`, { cause, retryAfterMs: 5000 });
  if (isUnknownHost(error)) return backendUnavailable(`AWS (${context.service}) cannot be found: the endpoint's host name does not resolve. Check the service's region and endpoints.`, { cause });
  const status = httpStatusOf(error);
  if (isNetworkFailure(error) || (status !== undefined && status >= 500) || name === 'ServiceFailureException' || name === 'ServiceFailure' || name === 'InternalFailure') {
    return backendUnavailable(`AWS (${context.service}) could not be reached or failed the request. Try again.`, { cause });
  }
  return backendUnavailable(`AWS (${context.service}) answered with something Latchkey does not understand${name === '' ? '' : ` (${name})`}. Check the service's endpoints.`, { cause });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
