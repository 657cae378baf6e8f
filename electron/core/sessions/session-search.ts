import type { LookupStrategy } from './bulk-revocation';
import type { SessionFilter } from './filter';
import type { MetadataFilterField } from './queries';
import type { ResultSet, ResultSummary } from './result-sets';
import type { ScanProgress } from './scan';
import type { SessionStore } from './store';

/**
 * The admin's search: by user or device (their index, then the keyspace walk unless index-only), by
 * metadata, by a filter (any metadata field, creation and expiry times), sessions expiring soon, or
 * everything. Matches go into a ResultSet as they are found, so a table can show them while the walk
 * goes on.
 */
export type SessionQuery =
  | { by: 'user'; userId: string }
  | { by: 'device'; deviceId: string }
  | { by: 'metadata'; metadata: Partial<Record<MetadataFilterField, string>> }
  | { by: 'filter'; filter: SessionFilter }
  | { by: 'expiring'; withinSeconds: number }
  | { by: 'all' };

/** The filter a query stands for (what a revocation of its result is recorded as). */
export function filterOfQuery(query: SessionQuery): SessionFilter {
  switch (query.by) {
    case 'user':
      return { userId: query.userId };
    case 'device':
      return { deviceId: query.deviceId };
    case 'metadata':
      return { metadata: Object.fromEntries(Object.entries(query.metadata).filter((entry): entry is [string, string] => entry[1] !== undefined)) };
    case 'filter':
      return query.filter;
    case 'expiring':
      return { expiringWithinSeconds: query.withinSeconds };
    case 'all':
      return {};
  }
}

export interface SearchProgress {
  scannedKeys: number;
  /** DBSIZE of the scanned databases: an upper bound for a progress bar (0 for an index lookup). */
  estimatedKeys: number;
  found: number;
}

export interface SearchOptions {
  strategy?: LookupStrategy;
  signal?: AbortSignal;
  onProgress?: (progress: SearchProgress) => void;
}

export async function searchSessions(store: SessionStore, query: SessionQuery, results: ResultSet, options: SearchOptions = {}): Promise<ResultSummary> {
  let last: ScanProgress = { scannedKeys: 0, estimatedKeys: 0, nodesDone: 0, nodesTotal: 0 };
  const report = (scan: ScanProgress = last) => {
    last = scan;
    options.onProgress?.({ scannedKeys: scan.scannedKeys, estimatedKeys: scan.estimatedKeys, found: results.rows.length });
  };

  if (query.by === 'user' || query.by === 'device') {
    const strategy = options.strategy ?? 'both';
    const list = (step: 'index' | 'scan') => {
      const lookup = { strategy: step, signal: options.signal, onProgress: report };
      return query.by === 'user' ? store.listByUser(query.userId, lookup) : store.listByDevice(query.deviceId, lookup);
    };
    // The index answers at once; the walk then adds sessions written by servers that keep no index.
    for (const step of ['index', 'scan'] as const) {
      if (strategy === (step === 'index' ? 'scan' : 'index')) continue;
      const found = await list(step);
      results.problems += found.problems.length;
      results.add(found.sessions);
      report();
    }
  } else {
    const filter = filterOfQuery(query);
    for await (const batch of store.stream({ filter, signal: options.signal, onProgress: report })) {
      results.problems += batch.problems.length;
      const room = results.add(batch.sessions);
      report(batch.progress);
      if (!room) break;
    }
  }
  results.complete = true;
  report();
  return results.summary();
}
