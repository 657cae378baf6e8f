import { invalidInput } from '../errors';
import type { ListOptions, ListPage, SecretSummary } from './backend';

/**
 * Paging for backends that return a whole listing at once (env, keychain, Vault folders): the page
 * token is a cursor naming the last path returned, so secrets added or removed between pages neither
 * repeat nor shift the rest.
 */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1_000;

export function pageSizeOf(options: ListOptions | undefined, max = MAX_PAGE_SIZE, fallback = DEFAULT_PAGE_SIZE): number {
  const size = options?.pageSize ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw invalidInput(`A page size must be a whole number from 1 to ${max}; got ${String(size)}.`);
  }
  return size;
}

export function encodeCursor(lastPath: string): string {
  return Buffer.from(JSON.stringify({ after: lastPath }), 'utf8').toString('base64url');
}

/** The path after which the next page starts; a token that we did not issue is InvalidInput. */
export function decodeCursor(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && typeof (parsed as { after?: unknown }).after === 'string') {
      return (parsed as { after: string }).after;
    }
  } catch {
    // fall through to the error below
  }
  throw invalidInput('The page token is not one this listing handed out. Start the listing again from the first page.');
}

/** One page of `paths` (any order) that start with `prefix`, after the cursor in `options.pageToken`. */
export function pageOfPaths(paths: Iterable<string>, prefix: string, options: ListOptions | undefined, summarize: (path: string) => SecretSummary = (path) => ({ path })): ListPage {
  const size = pageSizeOf(options);
  const after = decodeCursor(options?.pageToken);
  const matching = [...paths].filter((path) => path.startsWith(prefix) && (after === undefined || compareCodeUnits(path, after) > 0)).sort(compareCodeUnits);
  const page = matching.slice(0, size);
  const last = page.at(-1);
  return {
    items: page.map(summarize),
    ...(matching.length > size && last !== undefined ? { nextPageToken: encodeCursor(last) } : {}),
  };
}

/** Plain code-unit order (not locale order), so a cursor compares the same way everywhere. */
export function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
