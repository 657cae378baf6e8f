import type { RestorePreviewView } from '../../../../shared/ipc/snapshots.contract';

/** What a restore will do to each key, as the preview says it: never a value, only names, versions and reasons. */
const ACTIONS: Record<RestorePreviewView['items'][number]['action'], string> = {
  change: 'will change',
  recreate: 'will be recreated',
  unchanged: 'unchanged',
  new: 'created since',
  unavailable: 'cannot be restored',
};
const PILLS: Record<RestorePreviewView['items'][number]['action'], string> = {
  change: 'pill-updated',
  recreate: 'pill-created',
  unchanged: 'pill-unchanged',
  new: 'pill-skipped',
  unavailable: 'pill-failed',
};
const SOURCES = { snapshot: 'from the snapshot', history: "from the backend's history", 'incident-report': "from the incident's report" } as const;

/**
 * One row per key. Keys created since the moment carry a checkbox: they are deleted only when ticked.
 * Unchanged keys are folded into a count, so the rows that matter stay in view.
 */
export function RestorePreviewTable(props: { preview: RestorePreviewView; deleting?: Set<string>; onToggleDelete?: (key: string) => void; disabled?: boolean }) {
  const { preview, deleting } = props;
  const rows = preview.items.filter((item) => item.action !== 'unchanged');
  return (
    <>
      <p className="restore-summary">
        <strong>{preview.changed.length}</strong> will change, <strong>{preview.recreated.length}</strong> will be recreated, <strong>{deleting?.size ?? 0}</strong> will be deleted,{' '}
        <strong>{preview.unchanged.length}</strong> unchanged
        {preview.unavailable.length === 0 ? '' : `, ${preview.unavailable.length} cannot be restored`}.
      </p>
      {preview.notes.map((note) => (
        <p key={note} className="hint warn">
          {note}
        </p>
      ))}
      {rows.length === 0 ? null : (
        <table className="data-table restore-preview" aria-label={`What changes in ${preview.environment}`}>
          <thead>
            <tr>
              <th>Secret</th>
              <th>What happens</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((item) => (
              <tr key={item.key} data-key={item.key} className={item.action === 'unavailable' ? 'row-failed' : undefined}>
                <td className="mono">{item.key}</td>
                <td>
                  {item.action === 'new' && props.onToggleDelete !== undefined ? (
                    <label className="checkbox">
                      <input type="checkbox" checked={deleting?.has(item.key) === true} disabled={props.disabled} onChange={() => props.onToggleDelete?.(item.key)} aria-label={`Delete ${item.key}`} />
                      <span>{deleting?.has(item.key) === true ? 'will be deleted' : 'created since — keep'}</span>
                    </label>
                  ) : (
                    <span className={`pill ${PILLS[item.action]}`}>{ACTIONS[item.action]}</span>
                  )}
                </td>
                <td className="muted">
                  {item.action === 'new'
                    ? 'it did not exist then'
                    : item.reason ?? [item.source === undefined ? '' : SOURCES[item.source], item.version === undefined ? '' : `version ${item.version.length > 12 ? `${item.version.slice(0, 8)}…` : item.version}`].filter(Boolean).join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {preview.left_out.length === 0 ? null : (
        <div className="import-group">
          <h3>
            Left out <span className="muted">({preview.left_out.length})</span>
          </h3>
          <ul className="key-reasons">
            {preview.left_out.map((item) => (
              <li key={item.key}>
                <span className="mono">{item.key}</span> <span className="muted">— {item.reason}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
