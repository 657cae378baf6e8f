import { describe, expect, it } from 'vitest';
import { parseFilePath } from '../../../electron/core/secrets/file-backend';
import { parseRef } from '../../../electron/core/secrets/reference';

describe('references', () => {
  it('parses every scheme a reference may use', () => {
    expect(parseRef('file://demo/dev/API_KEY')).toEqual({ scheme: 'file', path: 'demo/dev/API_KEY' });
    expect(parseRef('vault://secret/app#password')).toEqual({ scheme: 'vault', path: 'secret/app#password' });
    expect(parseRef('gcp://projects/p/secrets/s@3')).toEqual({ scheme: 'gcp', path: 'projects/p/secrets/s@3' });
    for (const scheme of ['env', 'keychain', 'aws', 'azure']) expect(parseRef(`${scheme}://x/y`).scheme).toBe(scheme);
  });

  it('refuses unknown schemes and non-references with the forms to use', () => {
    expect(() => parseRef('ftp://x')).toThrow(/Unknown reference scheme/);
    expect(() => parseRef('API_KEY')).toThrow(/file:\/\/<project>/);
    expect(() => parseRef('file://')).toThrow();
  });

  it('refuses file paths that could leave the store', () => {
    for (const path of ['demo/dev', 'demo/dev/../x', '../dev/KEY', 'demo/../KEY', '/etc/passwd/x', 'demo/dev/a\0b', `demo/dev/${'K'.repeat(300)}`, 'demo/dev/.hidden']) {
      expect(() => parseFilePath(path), path).toThrow();
    }
    expect(parseFilePath('demo/dev/github.token_1')).toEqual({ project: 'demo', environment: 'dev', key: 'github.token_1' });
  });
});
