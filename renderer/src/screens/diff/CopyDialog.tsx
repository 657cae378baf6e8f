import { useState } from 'react';
import type { ResultOf } from '../../../../shared/ipc/contract';
import type { ProjectView } from '../../../../shared/ipc/projects.contract';
import { api, messageOf } from '../../api';
import { Dialog, WriteOnceFooter } from '../../components/Dialog';
import { TypedNameField } from '../envfiles/TypedNameField';
import { WriteResults } from '../envfiles/WriteResults';
import { FormError } from '../../components/FormError';

/** Copies the selected keys from one environment to another; a protected target needs its name typed. */
export function CopyDialog(props: { project: ProjectView; environments: string[]; keys: string[]; onDone(changed: boolean): void }) {
  const { project, environments, keys } = props;
  const [from, setFrom] = useState(environments[0] ?? '');
  const [to, setTo] = useState(environments[1] ?? '');
  const [overwrite, setOverwrite] = useState(false);
  const [typed, setTyped] = useState('');
  const [result, setResult] = useState<ResultOf<'diff', 'copy'> | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const target = project.environments.find((environment) => environment.name === to);
  const ready = !busy && from !== to && target !== undefined && (!target.protected || typed === target.name);

  const copy = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api.diff.copy({ project: project.name, from, to, keys, overwrite, typedNames: target?.protected === true ? [typed] : [] }));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const select = (value: string, onChange: (value: string) => void, label: string) => (
    <select value={value} onChange={(event) => onChange(event.target.value)} aria-label={label}>
      {project.environments.map((environment) => (
        <option key={environment.name} value={environment.name}>
          {environment.name}
        </option>
      ))}
    </select>
  );

  return (
    <Dialog
      title={`Copy ${keys.length} secret${keys.length === 1 ? '' : 's'}`}
      onClose={() => props.onDone(result !== undefined)}
      width="wide"
      footer={
        <WriteOnceFooter finished={result !== undefined} onDone={props.onDone}>
          <button type="button" className="btn btn-primary" disabled={!ready} onClick={() => void copy()}>
            Copy to {to}
          </button>
        </WriteOnceFooter>
      }
    >
      {result === undefined ? (
        <>
          <div className="inline-field">
            <span>From</span>
            {select(from, setFrom, 'Copy from')}
            <span>to</span>
            {select(
              to,
              (value) => {
                setTo(value);
                setTyped('');
              },
              'Copy to',
            )}
          </div>
          <p className="mono small">{keys.join(', ')}</p>
          <label className="checkbox">
            <input type="checkbox" checked={overwrite} onChange={(event) => setOverwrite(event.target.checked)} />
            <span>Replace values that differ in {to} (otherwise those keys are skipped)</span>
          </label>
          {target?.protected === true ? <TypedNameField name={target.name} value={typed} onChange={setTyped} /> : null}
          {from === to ? <p className="field-error">Choose two different environments.</p> : null}
        </>
      ) : (
        <WriteResults results={result.results} />
      )}
      <FormError error={error} />
    </Dialog>
  );
}
