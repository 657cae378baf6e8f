import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageOfPaths } from '../../../electron/core/secrets/client-side-paging';

describe('client-side paging', () => {
  const paths = ['b/2', 'a/1', 'b/1', 'c', 'b/3'];

  it('pages through matching paths in code-unit order, each once', () => {
    const first = pageOfPaths(paths, 'b/', { pageSize: 2 });
    expect(first.items.map((item) => item.path)).toEqual(['b/1', 'b/2']);
    const second = pageOfPaths(paths, 'b/', { pageSize: 2, pageToken: first.nextPageToken! });
    expect(second).toEqual({ items: [{ path: 'b/3' }] });
  });

  it('resumes after the cursor even when items were added or removed in between', () => {
    const first = pageOfPaths(paths, '', { pageSize: 2 });
    const changed = ['a/0', ...paths.filter((path) => path !== 'b/1')];
    expect(pageOfPaths(changed, '', { pageSize: 10, pageToken: first.nextPageToken! }).items.map((item) => item.path)).toEqual(['b/2', 'b/3', 'c']);
  });

  it('refuses page tokens it did not issue, and bad page sizes', () => {
    expect(decodeCursor(encodeCursor('x'))).toBe('x');
    expect(() => pageOfPaths(paths, '', { pageToken: 'garbage' })).toThrow(/page token/);
    expect(() => pageOfPaths(paths, '', { pageToken: Buffer.from('{"before":1}').toString('base64url') })).toThrow(/page token/);
    expect(() => pageOfPaths(paths, '', { pageSize: 0 })).toThrow(/page size/);
    expect(() => pageOfPaths(paths, '', { pageSize: 1.5 })).toThrow(/page size/);
  });
});
