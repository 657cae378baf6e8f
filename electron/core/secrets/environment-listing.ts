import { runBounded } from '../async/bounded-pool';
import { isLatchkeyError } from '../errors';
import { listAll, type SecretSummary } from './backend';
import type { BoundEnvironment } from './environment-secrets';

/**
 * The secrets of one bound environment as the secrets view lists them: keys (paths mapped back through
 * the binding), notes, times and versions. Where a backend's listing names secrets only (Vault lists
 * folders; its versions, times, notes and soft deletes are per secret), each one is described with a
 * few requests in flight, and secrets whose latest version is deleted are left out — as AWS and Azure
 * leave out theirs. Progress is reported as entries are listed, then as they are described.
 */
export interface ListedItem {
  key: string;
  note: string;
  createdAt?: string;
  updatedAt?: string;
  version?: string;
  /** The secret exists but cannot be read (a damaged file): what to do. */
  damaged?: string;
}

export interface ListProgress {
  done: number;
  total?: number;
  message?: string;
}

export interface ListEnvironmentOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ListProgress) => void;
}

const NOTE = 'note';
/** Progress is reported every this many entries (and once at the end of each phase). */
const PROGRESS_EVERY = 50;
const DESCRIBE_CONCURRENCY = 8;

function itemOf(key: string, summary: SecretSummary): ListedItem {
  return {
    key,
    note: summary.metadata?.[NOTE] ?? '',
    ...(summary.createdAt === undefined ? {} : { createdAt: summary.createdAt }),
    ...(summary.updatedAt === undefined ? {} : { updatedAt: summary.updatedAt }),
    ...(summary.version === undefined ? {} : { version: summary.version }),
    ...(summary.damaged === undefined ? {} : { damaged: summary.damaged }),
  };
}

export async function listEnvironment(bound: BoundEnvironment, options: ListEnvironmentOptions = {}): Promise<ListedItem[]> {
  const found: { key: string; summary: SecretSummary }[] = [];
  let listed = 0;
  for await (const summary of listAll(bound.backend, bound.prefix, options.signal === undefined ? {} : { signal: options.signal })) {
    listed += 1;
    if (listed % PROGRESS_EVERY === 0) options.onProgress?.({ done: listed, message: `Listed ${listed.toLocaleString('en')} entries` });
    const key = bound.keyOf(summary.path);
    if (key !== undefined) found.push({ key, summary });
  }
  options.onProgress?.({ done: listed, message: `Listed ${listed.toLocaleString('en')} entries` });

  const undescribed = bound.backend.capabilities.versions ? found.filter((entry) => entry.summary.version === undefined && entry.summary.damaged === undefined) : [];
  if (undescribed.length === 0) return found.map((entry) => itemOf(entry.key, entry.summary));

  const described = new Map<string, ListedItem | null>();
  let done = 0;
  await runBounded(
    undescribed,
    DESCRIBE_CONCURRENCY,
    async (entry) => {
      try {
        const description = await bound.backend.describe(entry.summary.path);
        const current = description.versions.find((version) => version.current);
        described.set(entry.key, current !== undefined && current.state !== 'enabled' ? null : itemOf(entry.key, description));
      } catch (error) {
        // Gone between the listing and now: not listed. Other failures keep the entry as listed.
        if (isLatchkeyError(error) && error.kind === 'NotFound') described.set(entry.key, null);
      }
      done += 1;
      if (done % PROGRESS_EVERY === 0 || done === undescribed.length) options.onProgress?.({ done, total: undescribed.length, message: 'Reading versions and notes' });
    },
    options.signal,
  );
  options.signal?.throwIfAborted();
  return found.flatMap((entry) => {
    const item = described.get(entry.key);
    if (item === null) return [];
    return [item ?? itemOf(entry.key, entry.summary)];
  });
}
