import { useState } from 'react';
import type { ResultOf } from '../../../../shared/ipc/contract';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import { api, CallError, messageOf } from '../../api';
import { Dialog, WriteOnceFooter } from '../../components/Dialog';
import { useToasts } from '../../stores/toasts.store';
import { TypedNameField } from './TypedNameField';
import { WriteResults } from './WriteResults';
import { FormError } from '../../components/FormError';
import { ErrorBanner } from '../../components/ErrorBanner';
import { UndoImportButton, useUndoImport } from './UndoImport';

/**
 * Import of a Mycelium secrets file as POSTGRES_PASSWORD, REDIS_PASSWORD and TEMPORAL_ADMIN_PASSWORD. A
 * file others can read is refused with the reason; the person may then import it anyway.
 */
export function MyceliumDialog(props: { project: string; environment: EnvironmentView; fileId: string; path: string; onDone(changed: boolean): void }) {
  const { project, environment, fileId } = props;
  const [overwrite, setOverwrite] = useState(false);
  const [typed, setTyped] = useState('');
  const [refusal, setRefusal] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [result, setResult] = useState<ResultOf<'envfiles', 'importMycelium'> | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const toast = useToasts((state) => state.show);
  const undo = useUndoImport();

  const ready = !busy && (!environment.protected || typed === environment.name);
  const run = async (force: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const imported = await api.envfiles.importMycelium({ project, environment: environment.name, fileId, force, overwrite, typedNames: environment.protected ? [typed] : [] });
      setResult(imported);
      setRefusal(undefined);
      toast('success', `Imported Mycelium's passwords of ${imported.projectName} into ${environment.name}.`);
    } catch (caught) {
      if (caught instanceof CallError && caught.kind === 'PermissionDenied' && !force) setRefusal(caught.message);
      else setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  if (undo.dialog !== undefined) return undo.render(project, environment, props.onDone);

  return (
    <Dialog
      title={`Import from Mycelium into ${environment.name}`}
      onClose={() => props.onDone(result !== undefined)}
      width="wide"
      footer={
        <WriteOnceFooter finished={result !== undefined} onDone={props.onDone} finishedStart={<UndoImportButton result={result} onUndo={undo.open} />}>
          {refusal === undefined ? (
            <button type="button" className="btn btn-primary" disabled={!ready} onClick={() => void run(false)}>
              Import
            </button>
          ) : (
            <button type="button" className="btn btn-danger" disabled={!ready} onClick={() => void run(true)}>
              Import anyway
            </button>
          )}
        </WriteOnceFooter>
      }
    >
      <p className="muted mono path">{props.path}</p>
      {result === undefined ? (
        <>
          <p>
            Mycelium&apos;s passwords become <code>POSTGRES_PASSWORD</code>, <code>REDIS_PASSWORD</code> and <code>TEMPORAL_ADMIN_PASSWORD</code> in {project}/{environment.name}, the names
            Mycelium&apos;s own .env export uses.
          </p>
          <label className="checkbox">
            <input type="checkbox" checked={overwrite} onChange={(event) => setOverwrite(event.target.checked)} />
            <span>Replace values that differ in {environment.name} (otherwise they are left as they are)</span>
          </label>
          {environment.protected ? <TypedNameField name={environment.name} value={typed} onChange={setTyped} /> : null}
          <ErrorBanner error={refusal} />
        </>
      ) : (
        <WriteResults results={result.results} />
      )}
      <FormError error={error} />
    </Dialog>
  );
}
