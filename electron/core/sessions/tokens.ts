import { hash, randomBytes } from 'node:crypto';

/**
 * Session tokens as the HandsFree server makes them (`secrets.token_urlsafe(32)`): 32 CSPRNG bytes,
 * URL-safe base64 without padding, 43 characters. A session's id is the hex SHA-256 of its token; it is
 * the Redis key without its prefix and the only name an admin ever sees.
 */
export const TOKEN_BYTES = 32;
export const SESSION_ID = /^[0-9a-f]{64}$/;

export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function sessionIdOf(token: string): string {
  // The one-shot form: validate hashes every token it is given, and this is its hot path.
  return hash('sha256', token, 'hex');
}

export function isSessionId(text: string): boolean {
  return SESSION_ID.test(text);
}

/** What a person sees in tables: enough to tell sessions apart, not the whole hash. */
export function shortSessionId(id: string): string {
  return id.slice(0, 12);
}
