import { useState, type FormEvent } from 'react';
import { SECRET_KEY, nameRules } from '../../../../shared/names';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import type { SecretItem } from '../../../../shared/ipc/secrets.contract';
import { api, messageOf } from '../../api';
import { confirmProtectedWrite } from '../../components/confirm.store';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { FormError } from '../../components/FormError';

/**
 * Create a secret, or edit one. Editing never loads the current value: the value field starts empty
 * and an empty field keeps the value as it is, so opening the dialog reveals nothing.
 */
export function SecretDialog(props: { project: string; environment: EnvironmentView; editing?: SecretItem; onDone(changed: boolean): void }) {
  const { project, environment, editing } = props;
  const [key, setKey] = useState(editing?.key ?? '');
  const [value, setValue] = useState('');
  const [note, setNote] = useState(editing?.note ?? '');
  const [showValue, setShowValue] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const keyValid = SECRET_KEY.test(key);
  const { metadata: keepsNotes, noteRule } = environment.features;
  const canSave = !busy && keyValid && (editing !== undefined || value !== '');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSave) return;
    const what = editing === undefined ? `This adds ${key}.` : `This changes ${key}.`;
    if (!(await confirmProtectedWrite(environment, what))) return;
    setBusy(true);
    setError(undefined);
    try {
      const confirmed = environment.protected ? true : undefined;
      if (editing === undefined) {
        await api.secrets.create({ project, environment: environment.name, key, value, ...(keepsNotes ? { note } : {}), confirmed });
      } else {
        await api.secrets.update({
          project,
          environment: environment.name,
          key,
          ...(value === '' ? {} : { value }),
          ...(keepsNotes ? { note } : {}),
          confirmed,
        });
      }
      setValue('');
      props.onDone(true);
    } catch (caught) {
      setError(messageOf(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog title={editing === undefined ? `New secret in ${environment.name}` : `Edit ${editing.key}`} onClose={() => props.onDone(false)} width="wide">
      <form className="form" onSubmit={submit} autoComplete="off">
        <label className="field">
          <span>Key</span>
          <input
            className="mono"
            value={key}
            autoFocus={editing === undefined}
            readOnly={editing !== undefined}
            onChange={(event) => setKey(event.target.value)}
            placeholder="API_KEY"
            spellCheck={false}
            aria-invalid={key !== '' && !keyValid}
          />
          {key !== '' && !keyValid ? <small className="field-error">Use {nameRules.key}.</small> : null}
        </label>
        <label className="field">
          <span>{editing === undefined ? 'Value' : 'New value (leave empty to keep the current one)'}</span>
          <div className="value-input">
            <textarea
              className={`mono${showValue ? '' : ' concealed'}`}
              value={value}
              autoFocus={editing !== undefined}
              onChange={(event) => setValue(event.target.value)}
              rows={3}
              spellCheck={false}
              autoComplete="off"
              aria-label="Value"
            />
            <button type="button" className="icon-btn" aria-label={showValue ? 'Hide value' : 'Show value'} onClick={() => setShowValue(!showValue)}>
              <Icon name={showValue ? 'eyeOff' : 'eye'} />
            </button>
          </div>
        </label>
        {keepsNotes ? (
          <label className="field">
            <span>Note</span>
            <input value={note} onChange={(event) => setNote(event.target.value)} placeholder="What it is for, who owns it" maxLength={2000} />
            {noteRule === undefined ? null : <small className="muted">{noteRule}</small>}
          </label>
        ) : (
          <p className="muted hint">{environment.backend} keeps no notes with a secret.</p>
        )}
        {environment.protected ? (
          <p className="hint warn">
            <Icon name="lock" size={14} /> {environment.name} is protected: you will be asked to confirm.
          </p>
        ) : null}
        <FormError error={error} />
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => props.onDone(false)}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!canSave}>
            {editing === undefined ? 'Add secret' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
