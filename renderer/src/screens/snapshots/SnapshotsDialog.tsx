import { useCallback, useEffect, useState } from 'react';
import type { ResultOf } from '../../../../shared/ipc/contract';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import type { RestoreTargetView } from '../../../../shared/ipc/snapshots.contract';
import { SNAPSHOT_REASON_LABELS } from '../../../../shared/snapshots';
import { api, messageOf } from '../../api';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/FormError';
import { Icon } from '../../components/Icon';
import { fullTime, plural, timeAgo } from '../../format';
import { useToasts } from '../../stores/toasts.store';
import { RestoreDialog } from './RestoreDialog';

type List = ResultOf<'snapshots', 'list'>;
type Restoring = { target: RestoreTargetView; title: string; keys?: string[]; initialDelete?: string[] | 'all-new' };

/**
 * The snapshots of an environment: take one (with a note), compare any with now and restore it, restore
 * to a moment, finish a restore that was interrupted; and the snapshots the retention rule pruned, each
 * with why — nothing is removed silently.
 */
export function SnapshotsDialog(props: { project: string; environment: EnvironmentView; onClose(changed: boolean): void }) {
  const { project, environment } = props;
  const [list, setList] = useState<List | undefined>(undefined);
  const [note, setNote] = useState('');
  const [moment, setMoment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [restoring, setRestoring] = useState<Restoring | undefined>(undefined);
  const [changed, setChanged] = useState(false);
  const toast = useToasts((state) => state.show);

  const load = useCallback(() => {
    api.snapshots.list({ project, environment: environment.name })
      .then(setList)
      .catch((caught: unknown) => setError(messageOf(caught)));
  }, [project, environment.name]);
  useEffect(load, [load]);

  const take = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const taken = await api.snapshots.take({ project, environment: environment.name, ...(note.trim() === '' ? {} : { note: note.trim() }) });
      toast('success', `Snapshot of ${environment.name} taken: ${plural(taken.keys, 'secret')}.`);
      setNote('');
      load();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const restoreToMoment = () => {
    const at = new Date(moment);
    if (Number.isNaN(at.getTime())) return;
    setRestoring({ target: { at: at.toISOString() }, title: `Restore ${environment.name} to ${at.toLocaleString()}` });
  };

  if (restoring !== undefined) {
    return (
      <RestoreDialog
        project={project}
        environment={environment}
        target={restoring.target}
        title={restoring.title}
        {...(restoring.keys === undefined ? {} : { keys: restoring.keys })}
        {...(restoring.initialDelete === undefined ? {} : { initialDelete: restoring.initialDelete })}
        onDone={(didChange) => {
          setRestoring(undefined);
          if (didChange) setChanged(true);
          load();
        }}
      />
    );
  }

  const interrupted = list?.interrupted;
  const interruptedTarget: RestoreTargetView | undefined = interrupted === undefined || 'incident' in interrupted.target ? undefined : interrupted.target;
  return (
    <Dialog
      title={`Snapshots of ${project}/${environment.name}`}
      onClose={() => props.onClose(changed)}
      width="wide"
      footer={
        <button type="button" className="btn btn-primary" onClick={() => props.onClose(changed)}>
          Close
        </button>
      }
    >
      {interrupted === undefined ? null : (
        <div className="banner banner-error" role="alert">
          <span>
            A restore to {interrupted.description} started {timeAgo(interrupted.started_at)} did not finish. Some secrets may still hold their later value.
          </span>
          {interruptedTarget === undefined ? (
            <span className="muted">Run the incident&apos;s undo again to finish it.</span>
          ) : (
            <button
              type="button"
              className="btn"
              onClick={() =>
                setRestoring({
                  target: interruptedTarget,
                  title: `Finish restoring ${environment.name}`,
                  ...(interrupted.keys === undefined ? {} : { keys: interrupted.keys }),
                  initialDelete: interrupted.delete,
                })
              }
            >
              Finish the restore
            </button>
          )}
        </div>
      )}
      <div className="snapshot-action">
        <label className="field">
          <span>Note (optional)</span>
          <input value={note} maxLength={200} onChange={(event) => setNote(event.target.value)} placeholder="before the migration" aria-label="Snapshot note" />
        </label>
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void take()}>
          <Icon name="history" /> Take a snapshot
        </button>
      </div>
      <div className="snapshot-action">
        <label className="field">
          <span>Restore to a moment (your local time)</span>
          <input type="datetime-local" step={1} value={moment} onChange={(event) => setMoment(event.target.value)} aria-label="Moment to restore to" />
        </label>
        <button type="button" className="btn" disabled={moment === ''} onClick={restoreToMoment}>
          Compare with now…
        </button>
      </div>
      <FormError error={error} />
      {list === undefined ? <p className="muted">Reading snapshots…</p> : null}
      {list !== undefined && list.snapshots.length === 0 ? <p className="muted">No snapshots yet. Latchkey takes one before every import, copy, incident and restore.</p> : null}
      {list === undefined || list.snapshots.length === 0 ? null : (
        <table className="data-table" aria-label="Snapshots">
          <thead>
            <tr>
              <th>Taken</th>
              <th>Why</th>
              <th>Secrets</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {list.snapshots.map((snapshot) => (
              <tr key={snapshot.id} data-snapshot={snapshot.id}>
                <td title={`${fullTime(snapshot.created_at)} · ${snapshot.id}`}>{timeAgo(snapshot.created_at)}</td>
                <td>
                  {SNAPSHOT_REASON_LABELS[snapshot.reason]}
                  {snapshot.note === undefined ? null : <span className="muted"> — {snapshot.note}</span>}
                </td>
                <td>
                  {snapshot.keys}
                  {snapshot.unreadable === 0 ? null : <span className="muted"> ({snapshot.unreadable} unreadable then)</span>}
                </td>
                <td className="actions">
                  <button
                    type="button"
                    className="btn"
                    aria-label={`Compare the snapshot of ${fullTime(snapshot.created_at)} with now`}
                    onClick={() => setRestoring({ target: { snapshot: snapshot.id }, title: `Restore ${environment.name} to its snapshot of ${fullTime(snapshot.created_at)}` })}
                  >
                    Compare with now…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list === undefined ? null : (
        <p className="muted small">
          Latchkey keeps the newest {list.retention.count} snapshots of an environment, none older than {list.retention.days} days (the newest is always kept).
        </p>
      )}
      {list === undefined || list.pruned.length === 0 ? null : (
        <details className="pruned">
          <summary>
            {list.pruned.length} snapshot{list.pruned.length === 1 ? ' was' : 's were'} pruned
          </summary>
          <ul className="key-reasons">
            {list.pruned.map((entry) => (
              <li key={entry.id}>
                {fullTime(entry.created_at)} ({SNAPSHOT_REASON_LABELS[entry.reason]}) — pruned {timeAgo(entry.pruned_at)}: {entry.why_text}
              </li>
            ))}
          </ul>
        </details>
      )}
      {list?.damaged.map((name) => (
        <p key={name} className="hint warn">
          {name} is damaged and cannot be used.
        </p>
      ))}
    </Dialog>
  );
}
