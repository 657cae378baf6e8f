import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * A SCRAM-SHA-256 verifier (RFC 5802, RFC 7677) in the form Postgres stores in pg_authid:
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`. `ALTER ROLE … PASSWORD '<verifier>'`
 * stores it as it is, so the plaintext never travels to the server and never appears in its statement
 * log — only this one-way verifier does.
 */
const derive = promisify(pbkdf2);

/** Postgres's defaults (scram_iterations = 4096, 16-byte salt). */
export const SCRAM_ITERATIONS = 4096;
const SALT_BYTES = 16;

export async function scramSha256Verifier(password: string, options: { iterations?: number; salt?: Buffer } = {}): Promise<string> {
  const iterations = options.iterations ?? SCRAM_ITERATIONS;
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  const salted = await derive(saslprep(password), salt, iterations, 32, 'sha256');
  try {
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const serverKey = createHmac('sha256', salted).update('Server Key').digest();
    clientKey.fill(0);
    return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
  } finally {
    salted.fill(0);
  }
}

/**
 * SASLprep (RFC 4013) as node-postgres applies it before SCRAM, so that the verifier matches what the
 * client proves: non-ASCII spaces become a space, characters "commonly mapped to nothing" are dropped,
 * then NFKC. Generated passwords are printable ASCII, which this leaves unchanged.
 */
export function saslprep(password: string): string {
  const nonAsciiSpace = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
  // eslint-disable-next-line no-misleading-character-class -- RFC 3454 table B.1 is exactly these joiners and selectors
  const mappedToNothing = /[\u00AD\u034F\u1806\u180B\u180C\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
  return password.replace(nonAsciiSpace, ' ').replace(mappedToNothing, '').normalize('NFKC');
}
