import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyId } from '../../../electron/core/crypto/data-key';
import { open, seal } from '../../../electron/core/crypto/sealed-box';

describe('sealed boxes (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const dataKey = { kid: keyId(key), key };

  it('round-trips and uses a fresh nonce every time', () => {
    const a = seal(dataKey, Buffer.from('secret'), 'aad');
    const b = seal(dataKey, Buffer.from('secret'), 'aad');
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
    expect(open(dataKey, a, 'aad', 'here').toString()).toBe('secret');
  });

  it('refuses other authenticated data, a flipped bit, or another key', () => {
    const box = seal(dataKey, Buffer.from('secret'), 'env-1:KEY');
    expect(() => open(dataKey, box, 'env-1:OTHER', 'here')).toThrow(/integrity/);
    const flipped = { ...box, ct: Buffer.from(Buffer.from(box.ct, 'base64url').map((byte, index) => (index === 0 ? byte ^ 1 : byte))).toString('base64url') };
    expect(() => open(dataKey, flipped, 'env-1:KEY', 'here')).toThrow(/integrity/);
    const other = randomBytes(32);
    expect(() => open({ kid: keyId(other), key: other }, box, 'env-1:KEY', 'here')).toThrow(/another data key/);
  });
});
