import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../../electron/core/sessions/export-format';

describe('sessions as CSV', () => {
  it('quotes as RFC 4180 asks, and makes a would-be formula text with a leading apostrophe', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(formula).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes one row per session with the metadata as JSON and no token column', () => {
    const row = csvRow({ id: 'a'.repeat(64), user_id: 'u', device_id: 'd', created_at: 'c', expires_at: 'e', ttl_seconds: null, metadata: { device_type: 'phone', app_version: 4.2, extra: [1] } });
    expect(row).toBe(`${'a'.repeat(64)},u,d,c,e,,phone,,4.2,"{""device_type"":""phone"",""app_version"":4.2,""extra"":[1]}"\n`);
    expect(row).not.toContain('token');
  });
});
