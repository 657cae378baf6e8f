import { useEffect, useState } from 'react';
import type { ResultOf } from '../../../../shared/ipc/contract';
import { api, messageOf } from '../../api';
import { Dialog, WriteOnceFooter } from '../../components/Dialog';
import { FormError } from '../../components/FormError';
import { ProgressBar } from '../../components/ProgressBar';
import { useOperation } from '../../operations';
import { useToasts } from '../../stores/toasts.store';
import { TypedNameField } from '../envfiles/TypedNameField';
import { RestorePreviewTable } from './RestorePreviewTable';
import { RestoreResults } from './RestoreResults';

type Preview = ResultOf<'snapshots', 'previewIncidentUndo'>;
type Result = ResultOf<'snapshots', 'undoIncident'>;

/**
 * Undoing an incident: per environment, which secrets get their value from before it back — only those
 * that were stored only. A credential the incident changed at its service is listed as left out, with
 * why: its old value may be the one that leaked.
 */
export function IncidentUndoDialog(props: { reportId: string; onDone(changed: boolean): void }) {
  const [preview, setPreview] = useState<Preview | undefined>(undefined);
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [result, setResult] = useState<Result | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [running, setRunning] = useState(false);
  const operation = useOperation();
  const toast = useToasts((state) => state.show);

  useEffect(() => {
    api.snapshots.previewIncidentUndo({ reportId: props.reportId })
      .then(setPreview)
      .catch((caught: unknown) => setError(messageOf(caught)));
  }, [props.reportId]);

  const writes = preview?.environments.reduce((sum, environment) => sum + environment.changed.length + environment.recreated.length, 0) ?? 0;
  const confirmed = preview?.typeToConfirm.every((name) => typed[name] === name) ?? false;
  const ready = !running && result === undefined && writes > 0 && confirmed;

  const undo = async () => {
    const operationId = operation.start();
    setRunning(true);
    setError(undefined);
    try {
      const done = await api.snapshots.undoIncident({ reportId: props.reportId, operationId, typedNames: preview?.typeToConfirm ?? [] });
      setResult(done);
      const failed = done.environments.some((environment) => environment.status !== 'completed');
      toast(failed ? 'error' : 'success', failed ? 'The undo did not finish everywhere; see what is left.' : `Undid incident ${props.reportId}.`);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setRunning(false);
      operation.finish();
    }
  };

  return (
    <Dialog
      title={`Undo incident ${props.reportId}`}
      onClose={() => (running ? undefined : props.onDone(result !== undefined))}
      width="wide"
      footer={
        <WriteOnceFooter finished={result !== undefined} onDone={props.onDone}>
          <button type="button" className="btn btn-danger" disabled={!ready} onClick={() => void undo()}>
            Put back {writes} value{writes === 1 ? '' : 's'}
          </button>
        </WriteOnceFooter>
      }
    >
      <p>
        Secrets the incident rotated that were stored only get their value from before it back, as a new version. A credential changed at its service is never put back: its old value may be the one that
        leaked.
      </p>
      {preview === undefined && error === undefined ? <p className="muted">Reading the report…</p> : null}
      {preview !== undefined && preview.environments.length === 0 ? <p>This incident rotated nothing, so there is nothing to undo.</p> : null}
      {preview === undefined || result !== undefined
        ? null
        : preview.environments.map((environment) => (
            <section key={`${environment.project}/${environment.environment}`} className="import-group" aria-label={`Undo in ${environment.project}/${environment.environment}`}>
              <h3>
                {environment.project}/{environment.environment}
              </h3>
              <RestorePreviewTable preview={environment} />
            </section>
          ))}
      {result === undefined && writes > 0
        ? preview?.typeToConfirm.map((name) => <TypedNameField key={name} name={name} value={typed[name] ?? ''} onChange={(value) => setTyped({ ...typed, [name]: value })} />)
        : null}
      {running ? <ProgressBar progress={operation.progress} label="Putting values back" onCancel={() => void operation.cancel()} /> : null}
      {result?.environments.map((environment) => <RestoreResults key={`${environment.project}/${environment.environment}`} result={environment} />)}
      <FormError error={error} />
    </Dialog>
  );
}
