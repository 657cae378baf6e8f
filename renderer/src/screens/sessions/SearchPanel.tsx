import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { RowSort, SessionQuery, SessionRow } from '../../../../shared/ipc/sessions.contract';
import { api, CallError, messageOf } from '../../api';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { useOperation } from '../../operations';
import { strategyOf, useSessions } from '../../stores/sessions.store';
import { EMPTY_FILTER, FilterFields, filterOfDraft, type FilterDraft } from './FilterFields';
import { ResultActions } from './ResultActions';
import { ResultsTable } from './ResultsTable';
import type { OwnerKind } from './useRevokeAll';
import { ErrorBanner } from '../../components/ErrorBanner';

/**
 * Search sessions by device, user, a filter (any metadata field, creation and expiry times), expiry,
 * or all of them. Results stream into the table: its row count follows `sessions.results` events while
 * the walk runs, and rows are fetched as they scroll into view. A finished search can be revoked (its
 * sessions exactly) or exported.
 */
type Mode = 'device' | 'user' | 'filter' | 'expiring' | 'all';

const MODES: { mode: Mode; label: string; placeholder?: string }[] = [
  { mode: 'device', label: 'Device', placeholder: 'Device id, e.g. watch-4f1c' },
  { mode: 'user', label: 'User', placeholder: 'User id' },
  { mode: 'filter', label: 'Filter' },
  { mode: 'expiring', label: 'Expiring', placeholder: 'Within hours' },
  { mode: 'all', label: 'All' },
];

interface Result {
  resultId: string;
  query: SessionQuery;
  total: number;
  complete: boolean;
  truncated: boolean;
  problems: number;
  users: number;
  devices: number;
}

export interface SearchPanelProps {
  server: string;
  refreshTick: number;
  onOpenSession(row: SessionRow): void;
  onOpen(kind: OwnerKind, id: string): void;
}

export function SearchPanel(props: SearchPanelProps) {
  const { server, refreshTick } = props;
  const indexOnly = useSessions((state) => state.indexOnly);
  const setIndexOnly = useSessions((state) => state.setIndexOnly);
  const changes = useSessions((state) => state.changes);
  const operation = useOperation();
  const { start, finish } = operation;
  const [mode, setMode] = useState<Mode>('device');
  const [text, setText] = useState('');
  const [filter, setFilter] = useState<FilterDraft>(EMPTY_FILTER);
  const [result, setResult] = useState<Result | undefined>(undefined);
  const [sort, setSort] = useState<RowSort | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [searching, setSearching] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const current = useRef<string | undefined>(undefined);

  // The table grows while the walk runs.
  useEffect(
    () =>
      api.events.on('sessions.results', ({ resultId, found, complete }) => {
        if (resultId !== current.current) return;
        setResult((shown) => (shown === undefined || shown.resultId !== resultId ? shown : { ...shown, total: found, complete: shown.complete || complete }));
      }),
    [],
  );

  // "/" jumps to the search field.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target !== null && ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) return;
      if (document.querySelector('dialog[open]') !== null || event.key !== '/') return;
      event.preventDefault();
      input.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const run = useCallback(
    async (query: SessionQuery) => {
      const previous = current.current;
      const operationId = start();
      current.current = operationId;
      if (previous !== undefined) void api.sessions.release({ resultId: previous });
      setResult({ resultId: operationId, query, total: 0, complete: false, truncated: false, problems: 0, users: 0, devices: 0 });
      setSort(undefined);
      setError(undefined);
      setSearching(true);
      try {
        const summary = await api.sessions.search({ operationId, server, query, strategy: strategyOf(indexOnly) });
        if (current.current === operationId) setResult({ ...summary, query });
      } catch (caught) {
        if (current.current !== operationId) return;
        // A cancelled walk keeps what it found; any other failure says why, with a Retry.
        if (caught instanceof CallError && caught.kind === 'Cancelled') setError('Search cancelled; the rows found so far are shown.');
        else setError(messageOf(caught));
      } finally {
        if (current.current === operationId) {
          finish();
          setSearching(false);
        }
      }
    },
    [server, indexOnly, start, finish],
  );

  const queryOf = (): SessionQuery | undefined => {
    const value = text.trim();
    switch (mode) {
      case 'device':
        return value === '' ? undefined : { by: 'device', deviceId: value };
      case 'user':
        return value === '' ? undefined : { by: 'user', userId: value };
      case 'expiring': {
        const hours = Number(value === '' ? '1' : value);
        return Number.isFinite(hours) && hours > 0 ? { by: 'expiring', withinSeconds: Math.round(hours * 3600) } : undefined;
      }
      case 'filter': {
        const criteria = filterOfDraft(filter);
        return criteria === undefined ? undefined : { by: 'filter', filter: criteria };
      }
      case 'all':
        return { by: 'all' };
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const query = queryOf();
    if (query !== undefined && !searching) void run(query);
  };

  // Auto-refresh re-runs a finished owner search (cheap); keyspace-wide searches refresh on demand.
  const lastQuery = result?.query;
  const refreshable = lastQuery !== undefined && (lastQuery.by === 'device' || lastQuery.by === 'user');
  const seenTick = useRef(refreshTick);
  useEffect(() => {
    if (seenTick.current === refreshTick) return;
    seenTick.current = refreshTick;
    // The tick comes from the screen's refresh timer, an outside event: re-running the search is the point.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (refreshable && !searching && lastQuery !== undefined) void run(lastQuery);
  }, [refreshTick, refreshable, searching, lastQuery, run]);
  // Sessions were revoked, extended or created: the rows shown may be wrong now, whatever the search.
  const seenChanges = useRef(changes);
  useEffect(() => {
    if (seenChanges.current === changes || searching) return;
    seenChanges.current = changes;
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (lastQuery !== undefined) void run(lastQuery);
  }, [changes, searching, lastQuery, run]);

  const active = MODES.find((entry) => entry.mode === mode)!;
  const owner = lastQuery?.by === 'device' ? { kind: 'device' as const, id: lastQuery.deviceId } : lastQuery?.by === 'user' ? { kind: 'user' as const, id: lastQuery.userId } : undefined;

  return (
    <div className="search-panel">
      <form className="toolbar search-toolbar" onSubmit={submit} role="search">
        <div className="segmented" role="radiogroup" aria-label="Search by">
          {MODES.map((entry) => (
            <button key={entry.mode} type="button" role="radio" aria-checked={mode === entry.mode} className={mode === entry.mode ? 'active' : undefined} onClick={() => setMode(entry.mode)}>
              {entry.label}
            </button>
          ))}
        </div>
        {mode === 'filter' ? (
          <FilterFields draft={filter} onChange={setFilter} firstInput={input} />
        ) : mode === 'all' ? (
          <span className="muted grow">Every session under the prefix (a walk of the keyspace).</span>
        ) : (
          <div className="search">
            <Icon name="search" />
            <input ref={input} value={text} onChange={(event) => setText(event.target.value)} placeholder={`${active.placeholder ?? ''}   /`} aria-label={`Search by ${active.label.toLowerCase()}`} spellCheck={false} />
          </div>
        )}
        <button type="submit" className="btn btn-primary" disabled={searching || queryOf() === undefined}>
          Search
        </button>
        <label className="checkbox toggle" title="Use only Latchkey's indexes: fast, but misses sessions the API server wrote without them (index them first).">
          <input type="checkbox" checked={indexOnly} onChange={(event) => setIndexOnly(event.target.checked)} />
          Index only
        </label>
      </form>

      {searching ? <ProgressBar label="Searching sessions" progress={operation.progress} onCancel={() => void operation.cancel()} /> : null}
      <ErrorBanner error={error} {...(lastQuery === undefined ? {} : { onRetry: () => void run(lastQuery) })} />

      {result === undefined ? (
        <div className="empty">
          <Icon name="devices" size={32} />
          <h3>Find a lost device</h3>
          <p className="muted">Search by device id to see its sessions and revoke them all, or by user, a filter (app version, OS, any metadata, when created) or expiry.</p>
        </div>
      ) : error !== undefined && result.total === 0 ? null /* nothing is counted under an error that found nothing: the error says why */ : (
        <>
          <div className="results-summary">
            <span data-testid="results-count">
              <strong>{result.total.toLocaleString()}</strong> session{result.total === 1 ? '' : 's'}
              {owner === undefined ? '' : ` of ${owner.kind} `}
              {owner === undefined ? null : <span className="mono">{owner.id}</span>}
              {result.complete ? '' : error === undefined ? ' so far' : ' found before the search stopped'}
            </span>
            {result.complete && result.total > 0 ? (
              <span className="muted" data-testid="results-owners">
                {result.users.toLocaleString()} user{result.users === 1 ? '' : 's'} · {result.devices.toLocaleString()} device{result.devices === 1 ? '' : 's'}
              </span>
            ) : null}
            {result.truncated ? <span className="hint warn">Only the first {result.total.toLocaleString()} are kept — narrow the search.</span> : null}
            {result.problems > 0 ? <span className="hint warn">{result.problems} keys under the prefix are not usable sessions.</span> : null}
            <span className="spacer" />
            {owner === undefined || result.total === 0 ? null : (
              <button type="button" className="btn" onClick={() => props.onOpen(owner.kind, owner.id)}>
                <Icon name={owner.kind === 'device' ? 'devices' : 'user'} /> Open {owner.kind}
              </button>
            )}
          </div>
          {result.complete && result.total > 0 && !searching ? (
            <ResultActions
              key={result.resultId}
              result={result}
              // What was revoked is gone: search again so the table shows what is left.
              onRevoked={() => void run(result.query)}
            />
          ) : null}
          {result.total === 0 && result.complete ? (
            <p className="muted empty-search">No live sessions match.{indexOnly ? ' (Index only: sessions written without an index are not looked for.)' : ''}</p>
          ) : (
            <ResultsTable
              resultId={result.resultId}
              total={result.total}
              sort={sort}
              onSort={setSort}
              onOpenSession={props.onOpenSession}
              onOpenDevice={(id) => props.onOpen('device', id)}
              onOpenUser={(id) => props.onOpen('user', id)}
            />
          )}
        </>
      )}
    </div>
  );
}
