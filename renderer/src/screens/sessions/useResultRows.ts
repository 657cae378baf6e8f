import { useCallback, useEffect, useRef, useState } from 'react';
import type { RowSort, SessionRow } from '../../../../shared/ipc/sessions.contract';
import { api, messageOf } from '../../api';

/**
 * The rows of a search result, fetched from main a page at a time as the table scrolls to them. At
 * most MAX_PAGES pages are kept (the ones nearest the rows in view), so scrolling through 100,000
 * rows never holds them all here.
 */
export const PAGE_ROWS = 200;
const MAX_PAGES = 24;

interface CachedPage {
  rows: SessionRow[];
  /** The result's size when the page was fetched: a short page is fetched again once more rows exist. */
  total: number;
}

export function useResultRows(resultId: string | undefined, total: number, sort: RowSort | undefined) {
  const [pages, setPages] = useState<Map<number, CachedPage>>(() => new Map());
  const [error, setError] = useState<string | undefined>(undefined);
  const inFlight = useRef(new Set<number>());
  const generation = useRef(0);
  const key = `${resultId ?? ''}|${sort?.by ?? ''}|${sort?.direction ?? ''}`;
  const [seenKey, setSeenKey] = useState(key);

  // A new search or another order: nothing cached applies any more.
  if (seenKey !== key) {
    setSeenKey(key);
    setPages(new Map());
  }
  useEffect(() => {
    generation.current += 1;
    inFlight.current.clear();
  }, [key]);

  // While a sorted result is still growing, rows move between pages: fetch again what is shown.
  const [seenTotal, setSeenTotal] = useState(total);
  if (seenTotal !== total) {
    setSeenTotal(total);
    if (sort !== undefined) setPages(new Map());
  }

  const ensure = useCallback(
    (firstRow: number, lastRow: number) => {
      if (resultId === undefined || total === 0) return;
      const first = Math.floor(Math.max(0, firstRow) / PAGE_ROWS);
      const last = Math.floor(Math.min(total - 1, lastRow) / PAGE_ROWS);
      for (let page = first; page <= last; page += 1) {
        const cached = pages.get(page);
        const fresh = cached !== undefined && (cached.rows.length === PAGE_ROWS || cached.total === total);
        if (fresh || inFlight.current.has(page)) continue;
        inFlight.current.add(page);
        const asked = generation.current;
        void api.sessions.rows({ resultId, offset: page * PAGE_ROWS, limit: PAGE_ROWS, ...(sort === undefined ? {} : { sort }) })
          .then((answer) => {
            if (asked !== generation.current) return;
            setPages((current) => keepNearest(new Map(current).set(page, { rows: answer.rows, total: answer.total }), page));
            setError(undefined);
          })
          .catch((caught: unknown) => {
            if (asked === generation.current) setError(messageOf(caught));
          })
          .finally(() => {
            if (asked === generation.current) inFlight.current.delete(page);
          });
      }
    },
    [resultId, total, sort, pages],
  );

  const rowAt = useCallback((index: number): SessionRow | undefined => pages.get(Math.floor(index / PAGE_ROWS))?.rows[index % PAGE_ROWS], [pages]);

  return { rowAt, ensure, error };
}

/** Drops the pages furthest from `around` once more than MAX_PAGES are held. */
function keepNearest(pages: Map<number, CachedPage>, around: number): Map<number, CachedPage> {
  if (pages.size <= MAX_PAGES) return pages;
  const far = [...pages.keys()].sort((a, b) => Math.abs(b - around) - Math.abs(a - around));
  for (const page of far.slice(0, pages.size - MAX_PAGES)) pages.delete(page);
  return pages;
}
