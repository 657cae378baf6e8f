import type { ReportItem } from '../../../../shared/ipc/incidents.contract';
import { fullTime } from '../../format';

/**
 * Per-secret results of an incident: failures first, with what is current and what to do; then the
 * secrets to rotate by hand (a warning: Latchkey did not change them), each with "Mark rotated" once the
 * person has rotated it where it was issued.
 */
const ORDER: Record<ReportItem['status'], number> = { failed: 0, 'by-hand': 1, cancelled: 2, pending: 3, rotated: 4, skipped: 5 };
const LABELS: Partial<Record<ReportItem['status'], string>> = { pending: 'not done', 'by-hand': 'rotate by hand' };

type Item = Pick<ReportItem, 'ref' | 'project' | 'environment' | 'key' | 'status' | 'version' | 'reason' | 'error' | 'provider' | 'marked' | 'changed_at' | 'old_retired' | 'old_refused'>;

/**
 * Where a rotated item's credential changed: at a service (and whether the old one was refused when tried
 * once more), or the stored copy only — a warning, since the old value still works where it is checked.
 */
function WhereChanged({ item }: { item: Item }) {
  if (item.status !== 'rotated') return null;
  if (item.changed_at === undefined) {
    return (
      <>
        <span className="pill pill-stored-only">stored copy only</span> <span className="stored-only-why">— the old value still works wherever it is checked</span>
      </>
    );
  }
  const old = item.old_refused === true ? 'old refused' : typeof item.old_retired === 'string' ? `old retired at ${fullTime(item.old_retired)}` : item.old_retired === true ? 'old retired' : 'old still valid';
  return (
    <span className="changes-at-service">
      changed at {item.changed_at}; {old}
    </span>
  );
}

export function IncidentItems({ items, label, onMark }: { items: Item[]; label: string; onMark?: (item: Item) => void }) {
  const sorted = [...items].sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.environment.localeCompare(b.environment) || a.key.localeCompare(b.key));
  return (
    <table className="data-table incident-items" aria-label={label}>
      <thead>
        <tr>
          <th>Environment</th>
          <th>Secret</th>
          <th>Result</th>
          <th>Details</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((item) => (
          <tr key={item.ref} className={item.status === 'failed' ? 'row-failed' : item.status === 'by-hand' ? 'row-by-hand' : undefined} data-status={item.status} data-key={item.key}>
            <td>
              {item.project}/{item.environment}
            </td>
            <td className="mono">{item.key}</td>
            <td>
              <span className={`pill pill-${item.status === 'by-hand' && item.marked !== undefined ? 'rotated' : item.status}`}>{item.status === 'by-hand' && item.marked !== undefined ? 'rotated by hand' : (LABELS[item.status] ?? item.status)}</span>
            </td>
            <td className="muted">
              {item.status === 'by-hand' ? <ByHandDetails item={item} onMark={onMark} /> : (item.error?.message ?? item.reason ?? (item.version === undefined ? '' : `version ${item.version.length > 12 ? `${item.version.slice(0, 8)}…` : item.version} `))}
              <WhereChanged item={item} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ByHandDetails({ item, onMark }: { item: Item; onMark: ((item: Item) => void) | undefined }) {
  return (
    <span className="by-hand-details">
      {item.provider === undefined || item.reason?.includes(item.provider) === true ? null : <strong>{item.provider}. </strong>}
      {item.reason}
      {item.marked !== undefined ? (
        <span className="marked" title={fullTime(item.marked.at)}>
          {' '}
          Marked done by {item.marked.by}.
        </span>
      ) : onMark === undefined ? null : (
        <>
          {' '}
          <button type="button" className="btn btn-small" aria-label={`Mark ${item.key} in ${item.environment} rotated by hand`} onClick={() => onMark(item)}>
            Mark rotated
          </button>
        </>
      )}
    </span>
  );
}
