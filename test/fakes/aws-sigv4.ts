import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FakeRequest } from './http-fake';

/**
 * Verification of AWS Signature Version 4 as documented in "Create a signed AWS API request": the fake
 * recomputes the signature from the canonical request with the secret key it knows, so a request signed
 * with a wrong key, for another region or service, or altered on the way, is refused as AWS would.
 */
export interface SigV4Credentials {
  secretAccessKey: string;
}

export type SigV4Result =
  | { ok: true; accessKeyId: string }
  | { ok: false; type: 'MissingAuthenticationTokenException' | 'IncompleteSignatureException' | 'InvalidSignatureException' | 'UnrecognizedClientException'; message: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

export function verifySigV4(request: FakeRequest, options: { region: string; service: string; lookup: (accessKeyId: string) => SigV4Credentials | undefined; now?: () => number }): SigV4Result {
  const header = request.header('authorization');
  if (header === undefined) return { ok: false, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const match = AUTHORIZATION.exec(header);
  if (match === null) return { ok: false, type: 'IncompleteSignatureException', message: 'Authorization header requires Credential, SignedHeaders and Signature.' };
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = match as unknown as [string, string, string, string, string, string, string];
  const credentials = options.lookup(accessKeyId);
  if (credentials === undefined) return { ok: false, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (region !== options.region || service !== options.service) {
    return { ok: false, type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region and service ('${options.region}', '${options.service}').` };
  }
  const amzDate = request.header('x-amz-date') ?? '';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(date)) return { ok: false, type: 'IncompleteSignatureException', message: 'Date in Credential scope does not match X-Amz-Date.' };
  const signedAt = Date.parse(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  if (Math.abs((options.now ?? Date.now)() - signedAt) > 15 * 60_000) return { ok: false, type: 'InvalidSignatureException', message: 'Signature expired.' };

  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) return { ok: false, type: 'IncompleteSignatureException', message: 'host and x-amz-date must be signed.' };
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(request.header(name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalQuery = [...request.url.searchParams.entries()]
    .map(([key, value]) => [encodeRfc3986(key), encodeRfc3986(value)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const payloadHash = request.header('x-amz-content-sha256') ?? sha256(request.body);
  const canonicalRequest = [request.method, request.url.pathname, canonicalQuery, canonicalHeaders, signedHeaderList, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return { ok: false, type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' };
  }
  return { ok: true, accessKeyId };
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
