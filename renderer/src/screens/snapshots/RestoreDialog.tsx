import { useEffect, useState, type ReactNode } from 'react';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import type { RestorePreviewView, RestoreResultView, RestoreTargetView } from '../../../../shared/ipc/snapshots.contract';
import { api, messageOf } from '../../api';
import { Dialog, WriteOnceFooter } from '../../components/Dialog';
import { FormError } from '../../components/FormError';
import { plural } from '../../format';
import { ProgressBar } from '../../components/ProgressBar';
import { useOperation } from '../../operations';
import { useToasts } from '../../stores/toasts.store';
import { TypedNameField } from '../envfiles/TypedNameField';
import { RestorePreviewTable } from './RestorePreviewTable';
import { RestoreResults } from './RestoreResults';

/**
 * Restoring an environment (or some of its keys) to a snapshot or a moment: the preview by key
 * ("compare with now"), keys created since ticked for deletion, the typed name of a protected
 * environment, then the restore with progress and Cancel, and what it did. Values never reach the page.
 */
export function RestoreDialog(props: {
  project: string;
  environment: EnvironmentView;
  target: RestoreTargetView;
  /** Only these keys (an import's undo). */
  keys?: string[];
  /** Keys created since that start ticked for deletion (an import's undo ticks the keys it created), or all of them. */
  initialDelete?: string[] | 'all-new';
  title: string;
  intro?: ReactNode;
  onDone(changed: boolean): void;
}) {
  const { project, environment, target, keys } = props;
  const [preview, setPreview] = useState<RestorePreviewView | undefined>(undefined);
  const [deleting, setDeleting] = useState<Set<string>>(() => new Set(props.initialDelete === 'all-new' ? [] : (props.initialDelete ?? [])));
  // "Every key created since", as an interrupted restore asked it, until a tick changes it: the same request resumes it.
  const [allNew, setAllNew] = useState(props.initialDelete === 'all-new');
  const [typed, setTyped] = useState('');
  const [result, setResult] = useState<RestoreResultView | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [running, setRunning] = useState(false);
  const operation = useOperation();
  const toast = useToasts((state) => state.show);

  useEffect(() => {
    api.snapshots.preview({ project, environment: environment.name, target, ...(keys === undefined ? {} : { keys }) })
      .then((answer) => {
        setPreview(answer);
        // Only keys that are still there (and were created since) can be ticked.
        setDeleting((ticked) => new Set(props.initialDelete === 'all-new' ? answer.created_since : [...ticked].filter((key) => answer.created_since.includes(key))));
      })
      .catch((caught: unknown) => setError(messageOf(caught)));
  }, [project, environment.name, target, keys, props.initialDelete]);

  const toggle = (key: string) => {
    setAllNew(false);
    const next = new Set(deleting);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setDeleting(next);
  };
  const writes = preview === undefined ? 0 : preview.changed.length + preview.recreated.length + deleting.size;
  const ready = preview !== undefined && !running && result === undefined && writes > 0 && (!environment.protected || typed === environment.name);

  const restore = async () => {
    const operationId = operation.start();
    setRunning(true);
    setError(undefined);
    try {
      const done = await api.snapshots.restore({
        project,
        environment: environment.name,
        operationId,
        target,
        ...(keys === undefined ? {} : { keys }),
        delete: allNew ? 'all-new' : [...deleting],
        typedNames: environment.protected ? [typed] : [],
      });
      setResult(done);
      toast(done.status === 'completed' ? 'success' : 'error', done.status === 'completed' ? `Restored ${environment.name}: ${plural(done.changed.length + done.recreated.length + done.deleted.length, 'secret')}.` : `The restore of ${environment.name} is ${done.status}; see what is left.`);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setRunning(false);
      operation.finish();
    }
  };

  return (
    <Dialog
      title={props.title}
      onClose={() => (running ? undefined : props.onDone(result !== undefined))}
      width="wide"
      footer={
        <WriteOnceFooter finished={result !== undefined} onDone={props.onDone}>
          <button type="button" className="btn btn-danger" disabled={!ready} onClick={() => void restore()}>
            Restore {writes} secret{writes === 1 ? '' : 's'}
          </button>
        </WriteOnceFooter>
      }
    >
      {props.intro}
      {preview === undefined && error === undefined ? <p className="muted">Comparing with now…</p> : null}
      {preview?.interrupted === undefined || result !== undefined ? null : (
        <p className="hint warn">
          A restore to {preview.interrupted.description} started {new Date(preview.interrupted.started_at).toLocaleString()} did not finish; restoring the same again finishes it.
        </p>
      )}
      {preview === undefined || result !== undefined ? null : (
        <>
          <RestorePreviewTable preview={preview} deleting={deleting} onToggleDelete={toggle} disabled={running} />
          {writes === 0 ? <p>Nothing to restore: every secret already holds its value from then.</p> : null}
          {environment.protected && writes > 0 ? <TypedNameField name={environment.name} value={typed} onChange={setTyped} /> : null}
        </>
      )}
      {running ? <ProgressBar progress={operation.progress} label={`Restoring ${environment.name}`} onCancel={() => void operation.cancel()} /> : null}
      {result === undefined ? null : <RestoreResults result={result} />}
      <FormError error={error} />
    </Dialog>
  );
}
