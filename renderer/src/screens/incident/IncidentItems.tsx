import type { IncidentItemView } from '../../../../shared/ipc/incidents.contract';

/** Per-secret results of an incident: failures first, with what is current and what to do. */
const ORDER: Record<IncidentItemView['status'], number> = { failed: 0, cancelled: 1, pending: 2, rotated: 3, skipped: 4 };

export function IncidentItems({ items, label }: { items: Pick<IncidentItemView, 'ref' | 'project' | 'environment' | 'key' | 'status' | 'version' | 'reason' | 'error'>[]; label: string }) {
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
          <tr key={item.ref} className={item.status === 'failed' ? 'row-failed' : undefined} data-status={item.status}>
            <td>
              {item.project}/{item.environment}
            </td>
            <td className="mono">{item.key}</td>
            <td>
              <span className={`pill pill-${item.status}`}>{item.status === 'pending' ? 'not done' : item.status}</span>
            </td>
            <td className="muted">{item.error?.message ?? item.reason ?? (item.version === undefined ? '' : `version ${item.version.length > 12 ? `${item.version.slice(0, 8)}…` : item.version}`)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
