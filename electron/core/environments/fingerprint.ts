import { createHmac, randomBytes } from 'node:crypto';

/**
 * Keyed fingerprints of secret values (HMAC-SHA-256 with a random key that lives only in this process's
 * memory). Two equal values have equal fingerprints within one run; across runs, and to anyone without
 * the key, a fingerprint says nothing about the value — not even for short, guessable values.
 */
export interface Fingerprinter {
  fingerprint(value: string): string;
}

export function createFingerprinter(key: Buffer = randomBytes(32)): Fingerprinter {
  const secretKey = Buffer.from(key);
  return {
    fingerprint: (value) => createHmac('sha256', secretKey).update(value, 'utf8').digest('base64url'),
  };
}
