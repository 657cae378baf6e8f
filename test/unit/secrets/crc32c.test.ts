import { describe, expect, it } from 'vitest';
import { crc32c } from '../../../electron/core/secrets/remote/crc32c';

describe('crc32c', () => {
  it('matches the published CRC-32C check values', () => {
    // RFC 3720 (iSCSI) appendix B.4 and the standard "123456789" check value.
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });
});
