import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import type { DueItem } from '../../../../shared/ipc/rotation.contract';
import type { SecretItem } from '../../../../shared/ipc/secrets.contract';
import type { RotatorSummary } from '../../stores/rotators.store';
import { SecretRow, type RowActions } from './SecretRow';

/**
 * The secrets of an environment as a virtualized table: only the rows in view (and a few around them)
 * are in the DOM, so 500 secrets scroll and filter as lightly as 5. The table scrolls inside its own
 * box under the environment bar, the search and its column headers, which stay in place.
 */
const ESTIMATED_ROW_HEIGHT = 52;

export function SecretList(props: {
  project: string;
  environment: EnvironmentView;
  items: SecretItem[];
  due: Map<string, DueItem>;
  rotating: string | undefined;
  /** Rotators by key: a row with one rotates at its service. */
  rotators: Map<string, RotatorSummary>;
  actions: RowActions;
  /** The search and filter the items are shown for: when it changes, the list starts at the top again. */
  filterKey: string;
}) {
  const { items, filterKey } = props;
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [filterKey]);
  // The virtualizer keeps mutable state; the React Compiler must not memoize around it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATED_ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => items[index]?.key ?? index,
  });
  const rows = virtualizer.getVirtualItems();
  const before = rows[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (rows.at(-1)?.end ?? 0);

  return (
    <div className="list-scroll" ref={scroller} data-testid="secrets-scroll">
      <table className="secrets-table" aria-rowcount={items.length + 1}>
        <thead>
          <tr>
            <th scope="col" className="cell-key">
              Key
            </th>
            <th scope="col" className="cell-value">
              Value
            </th>
            <th scope="col" className="cell-time">
              Updated
            </th>
            <th scope="col" className="cell-actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {before > 0 ? (
            <tr aria-hidden="true" className="spacer-row">
              <td colSpan={4} style={{ height: before }} />
            </tr>
          ) : null}
          {rows.map((row) => {
            const item = items[row.index]!;
            return (
              <SecretRow
                key={item.key}
                index={row.index}
                measure={virtualizer.measureElement}
                project={props.project}
                environment={props.environment}
                item={item}
                actions={props.actions}
                due={props.due.get(item.key)}
                rotator={props.rotators.get(item.key)}
                rotating={props.rotating === item.key}
              />
            );
          })}
          {after > 0 ? (
            <tr aria-hidden="true" className="spacer-row">
              <td colSpan={4} style={{ height: after }} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
