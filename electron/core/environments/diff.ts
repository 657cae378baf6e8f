import { runBounded } from '../async/bounded-pool';
import { toPublicError } from '../errors';
import type { Logger } from '../log';
import { describeError } from '../log';
import type { SecretBackend } from '../secrets/backend';
import { parseRef } from '../secrets/reference';
import type { EnvironmentView } from './environment-view';
import type { Fingerprinter } from './fingerprint';

/**
 * Environments side by side. Values are read in main, turned into keyed fingerprints at once and
 * dropped; what leaves these functions is only which keys exist where and which values are equal.
 */
export interface CompareDeps {
  fingerprinter: Fingerprinter;
  logger?: Logger;
  /** Reads in flight at once (default 8). */
  concurrency?: number;
}

/**
 * One row per key. `cells[i]` is about environments[i]: `missing`, `unreadable`, or `value` with a group
 * number — equal numbers in one row mean equal values (group numbers say nothing across rows).
 */
export type ComparisonCell = { state: 'missing' } | { state: 'unreadable'; message: string } | { state: 'value'; group: number };

export interface EnvironmentComparison {
  environments: { project: string; name: string }[];
  rows: { key: string; cells: ComparisonCell[] }[];
}

export async function compareEnvironments(deps: CompareDeps, environments: EnvironmentView[], options: { signal?: AbortSignal } = {}): Promise<EnvironmentComparison> {
  const listings = await Promise.all(environments.map((environment) => environment.list(options.signal)));
  const refs = listings.map((listing) => new Map(listing.map((secret) => [secret.key, secret.ref])));
  const keys = [...new Set(listings.flatMap((listing) => listing.map((secret) => secret.key)))].sort();

  // Only keys present in at least two environments need their values compared.
  const reads: { key: string; column: number; ref: string; backend: SecretBackend }[] = [];
  for (const key of keys) {
    const present = refs.flatMap((byKey, column) => (byKey.has(key) ? [{ column, ref: byKey.get(key) as string }] : []));
    if (present.length >= 2) for (const item of present) reads.push({ key, ...item, backend: (environments[item.column] as EnvironmentView).backend });
  }
  const fingerprints = new Map<string, string | { unreadable: string }>();
  await runBounded(
    reads,
    deps.concurrency ?? 8,
    async ({ key, column, ref, backend }) => {
      try {
        const value = (await backend.get(parseRef(ref).path)).value;
        fingerprints.set(`${column}\u0000${key}`, deps.fingerprinter.fingerprint(value));
      } catch (error) {
        deps.logger?.warn('secret unreadable for comparison', { ref, error: describeError(error) });
        fingerprints.set(`${column}\u0000${key}`, { unreadable: toPublicError(error).message });
      }
    },
    options.signal,
  );
  options.signal?.throwIfAborted();

  const rows = keys.map((key) => {
    const groups = new Map<string, number>();
    const cells = refs.map((byKey, column): ComparisonCell => {
      if (!byKey.has(key)) return { state: 'missing' };
      const fingerprint = fingerprints.get(`${column}\u0000${key}`);
      if (typeof fingerprint === 'object') return { state: 'unreadable', message: fingerprint.unreadable };
      // A key present in a single environment was not read: it is in a group of its own.
      const id = fingerprint ?? `only:${column}`;
      if (!groups.has(id)) groups.set(id, groups.size);
      return { state: 'value', group: groups.get(id) as number };
    });
    return { key, cells };
  });
  return { environments: environments.map((environment) => ({ project: environment.project, name: environment.name })), rows };
}

/**
 * The `latchkey env diff` shape: key names only, each list sorted. A key that could not be read in either
 * environment (a damaged file, a refused request) is compared no further and listed under `unreadable`,
 * with why; every other key is compared as usual.
 */
export interface EnvironmentDiff {
  missing_in_a: string[];
  missing_in_b: string[];
  different: string[];
  same: string[];
  unreadable: { key: string; environment: string; message: string }[];
}

export async function diffEnvironments(deps: CompareDeps, a: EnvironmentView, b: EnvironmentView, options: { signal?: AbortSignal } = {}): Promise<EnvironmentDiff> {
  const comparison = await compareEnvironments(deps, [a, b], options);
  const diff: EnvironmentDiff = { missing_in_a: [], missing_in_b: [], different: [], same: [], unreadable: [] };
  for (const { key, cells } of comparison.rows) {
    const [left, right] = cells as [ComparisonCell, ComparisonCell];
    if (left.state === 'unreadable' || right.state === 'unreadable') {
      for (const [cell, environment] of [[left, a], [right, b]] as const) {
        if (cell.state === 'unreadable') diff.unreadable.push({ key, environment: environment.name, message: cell.message });
      }
    } else if (left.state === 'missing') diff.missing_in_a.push(key);
    else if (right.state === 'missing') diff.missing_in_b.push(key);
    else if (left.group === right.group) diff.same.push(key);
    else diff.different.push(key);
  }
  return diff;
}
