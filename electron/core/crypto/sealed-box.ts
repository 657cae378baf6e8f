import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { LatchkeyError } from '../errors';

/**
 * AES-256-GCM with a fresh 96-bit nonce per message. The additional authenticated data binds a box to
 * where it belongs (for the file store: project, environment and key), so a file moved or copied onto
 * another secret fails to open instead of silently answering with the wrong value.
 */
export const sealedBoxSchema = z.object({
  v: z.literal(1),
  alg: z.literal('A256GCM'),
  kid: z.string().regex(/^[0-9a-f]{16}$/),
  iv: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
  tag: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  ct: z.string().regex(/^[A-Za-z0-9_-]*$/),
});
export type SealedBox = z.infer<typeof sealedBoxSchema>;

export interface DataKey {
  /** First 8 bytes of SHA-256(key), hex: names the key without revealing it. */
  kid: string;
  key: Buffer;
}

export function seal(dataKey: DataKey, plaintext: Buffer, aad: string): SealedBox {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { v: 1, alg: 'A256GCM', kid: dataKey.kid, iv: iv.toString('base64url'), tag: cipher.getAuthTag().toString('base64url'), ct: ct.toString('base64url') };
}

export function open(dataKey: DataKey, box: SealedBox, aad: string, where: string): Buffer {
  if (box.kid !== dataKey.kid) {
    throw new LatchkeyError(
      'PermissionDenied',
      `${where} was encrypted with another data key (id ${box.kid}) than the store's key (id ${dataKey.kid}). ` +
        'The key marker store/keyinfo.json and the OS keychain entry it names (service "latchkey") must be the ones this file was written with: restore both from a backup.',
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey.key, Buffer.from(box.iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(box.tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(box.ct, 'base64url')), decipher.final()]);
  } catch (error) {
    throw new LatchkeyError(
      'PermissionDenied',
      `${where} failed its integrity check: it was modified, corrupted, or copied from another secret. ` +
        'Restore it from a backup or delete it and set the secret again.',
      { cause: error },
    );
  }
}
