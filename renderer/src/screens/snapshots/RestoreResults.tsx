import type { RestoreResultView } from '../../../../shared/ipc/snapshots.contract';

/** What a restore did, key by key (unchanged keys as a count), and how to undo it. */
const PILLS: Record<RestoreResultView['items'][number]['outcome'], string> = {
  changed: 'pill-updated',
  recreated: 'pill-created',
  deleted: 'pill-skipped',
  unchanged: 'pill-unchanged',
  kept: 'pill-unchanged',
  unavailable: 'pill-failed',
  failed: 'pill-failed',
  cancelled: 'pill-cancelled',
};

export function RestoreResults({ result }: { result: RestoreResultView }) {
  const rows = result.items.filter((item) => item.outcome !== 'unchanged');
  return (
    <section aria-label={`Restore of ${result.environment}`}>
      <p className="restore-summary">
        <span className={`pill pill-${result.status}`}>{result.status}</span> {result.changed.length} changed, {result.recreated.length} recreated, {result.deleted.length} deleted, {result.unchanged.length}{' '}
        unchanged{result.resumed ? ' — this finished a restore that was interrupted' : ''}.
      </p>
      {rows.length === 0 ? null : (
        <table className="data-table write-results" aria-label="Results">
          <tbody>
            {rows.map((item) => (
              <tr key={item.key} data-key={item.key} className={item.outcome === 'failed' || item.outcome === 'unavailable' ? 'row-failed' : undefined}>
                <td className="mono">{item.key}</td>
                <td>
                  <span className={`pill ${PILLS[item.outcome]}`}>{item.outcome === 'kept' ? 'kept (created since)' : item.outcome}</span>
                </td>
                <td className="muted">{item.error?.message ?? item.reason ?? (item.version === undefined ? '' : `version ${item.version.length > 12 ? `${item.version.slice(0, 8)}…` : item.version}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result.left_out.map((item) => (
        <p key={item.key} className="muted small">
          Left out <span className="mono">{item.key}</span>: {item.reason}
        </p>
      ))}
      {result.warnings.map((warning) => (
        <p key={warning} className="hint warn">
          {warning}
        </p>
      ))}
      <p className="muted small">
        Snapshot <span className="mono">{result.before_snapshot_id}</span> was taken just before: restore it from Snapshots to undo this.
      </p>
    </section>
  );
}
