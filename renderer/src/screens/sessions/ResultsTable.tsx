import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { RowSort, SessionRow } from '../../../../shared/ipc/sessions.contract';
import { fullTime, timeAgo } from '../../format';
import { useResultRows } from './useResultRows';
import { ErrorBanner } from '../../components/ErrorBanner';

/**
 * A search result as a virtualized table: only the rows in view (plus a few) are in the DOM, and their
 * data is fetched a page at a time, so 100,000 rows scroll as smoothly as 100. Rows are keyed by
 * session id. Clicking a row opens the session; clicking its device or user opens that drill-down.
 */
const ROW_HEIGHT = 40;

type SortField = RowSort['by'];

export interface ResultsTableProps {
  resultId: string | undefined;
  total: number;
  sort: RowSort | undefined;
  onSort(sort: RowSort | undefined): void;
  onOpenSession(row: SessionRow): void;
  onOpenDevice(deviceId: string): void;
  onOpenUser(userId: string): void;
}

const COLUMNS: { label: string; sort?: SortField; className: string }[] = [
  { label: 'Session', className: 'col-id' },
  { label: 'User', sort: 'userId', className: 'col-user' },
  { label: 'Device', sort: 'deviceId', className: 'col-device' },
  { label: 'Type · OS · App', className: 'col-meta' },
  { label: 'Created', sort: 'createdAt', className: 'col-time' },
  { label: 'Expires', sort: 'expiresAt', className: 'col-time' },
];

export function ResultsTable(props: ResultsTableProps) {
  const { resultId, total, sort } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const { rowAt, ensure, error } = useResultRows(resultId, total, sort);
  // The virtualizer keeps mutable state; the React Compiler must not memoize around it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (index) => rowAt(index)?.id ?? `row-${index}`,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    ensure(first, last);
  }, [ensure, first, last]);

  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [resultId, sort?.by, sort?.direction]);

  const toggleSort = (field: SortField) => {
    if (sort?.by !== field) props.onSort({ by: field, direction: 'asc' });
    else if (sort.direction === 'asc') props.onSort({ by: field, direction: 'desc' });
    else props.onSort(undefined);
  };

  return (
    <div className="results" role="table" aria-label="Sessions found" aria-rowcount={total + 1}>
      <div className="results-head" role="rowgroup">
        <div className="results-row" role="row">
          {COLUMNS.map((column) => (
            <div key={column.label} role="columnheader" className={column.className} aria-sort={column.sort !== undefined && sort?.by === column.sort ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined}>
              {column.sort === undefined ? (
                column.label
              ) : (
                <button type="button" className="sort-btn" onClick={() => toggleSort(column.sort!)}>
                  {column.label}
                  <span aria-hidden="true">{sort?.by === column.sort ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              )}
            </div>
          ))}
        </div>
      </div>
      <div ref={scroller} className="results-body" role="rowgroup" tabIndex={0} aria-label="Rows (scroll with the arrow keys)">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = rowAt(item.index);
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 2}
                data-index={item.index}
                className={`results-row session-row${row === undefined ? ' loading' : ''}`}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                onClick={row === undefined ? undefined : () => props.onOpenSession(row)}
              >
                {row === undefined ? <div role="cell" className="col-id muted">Loading…</div> : <Cells row={row} onOpenDevice={props.onOpenDevice} onOpenUser={props.onOpenUser} />}
              </div>
            );
          })}
        </div>
      </div>
      <ErrorBanner error={error} />
    </div>
  );
}

function Cells({ row, onOpenDevice, onOpenUser }: { row: SessionRow; onOpenDevice(id: string): void; onOpenUser(id: string): void }) {
  const meta = [row.deviceType, row.os, row.appVersion].filter((part) => part !== undefined).join(' · ');
  return (
    <>
      <div role="cell" className="col-id mono" title={row.id}>
        {row.id.slice(0, 12)}
      </div>
      <div role="cell" className="col-user">
        <button
          type="button"
          className="link-btn"
          title={`Sessions of user ${row.userId}`}
          onClick={(event) => {
            event.stopPropagation();
            onOpenUser(row.userId);
          }}
        >
          {row.userId}
        </button>
      </div>
      <div role="cell" className="col-device">
        <button
          type="button"
          className="link-btn"
          title={`Open device ${row.deviceId}`}
          onClick={(event) => {
            event.stopPropagation();
            onOpenDevice(row.deviceId);
          }}
        >
          {row.deviceId}
        </button>
      </div>
      <div role="cell" className="col-meta muted">
        {meta === '' ? '—' : meta}
      </div>
      <div role="cell" className="col-time" title={fullTime(row.createdAt)}>
        {timeAgo(row.createdAt)}
      </div>
      <div role="cell" className="col-time" title={fullTime(row.expiresAt)}>
        {timeAgo(row.expiresAt)}
      </div>
    </>
  );
}
