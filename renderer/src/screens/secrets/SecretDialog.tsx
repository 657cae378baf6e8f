import { useEffect, useState, type FormEvent } from 'react';
import { SECRET_KEY, nameRules } from '../../../../shared/names';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import type { SecretItem } from '../../../../shared/ipc/secrets.contract';
import { api, fieldOf, messageOf } from '../../api';
import { confirmProtectedWrite } from '../../components/confirm.store';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { FormError } from '../../components/FormError';
import { useDrafts, type InterruptedDraft } from '../../stores/drafts.store';
import { useLock } from '../../stores/lock.store';

/**
 * Create a secret, or edit one. Editing never loads the current value: the value field starts empty
 * and an empty field keeps the value as it is, so opening the dialog reveals nothing. A key that exists
 * already is offered for editing instead (`onEditInstead`). When the app locks over a half-typed New
 * secret, its key and note are kept for after the unlock (`resumed`); the value is dropped, and the
 * reopened dialog says so.
 */
export function SecretDialog(props: {
  project: string;
  environment: EnvironmentView;
  editing?: SecretItem;
  resumed?: InterruptedDraft;
  onEditInstead?(key: string): void;
  onDone(changed: boolean): void;
}) {
  const { project, environment, editing, resumed } = props;
  const [key, setKey] = useState(editing?.key ?? resumed?.key ?? '');
  const [value, setValue] = useState('');
  const [note, setNote] = useState(editing?.note ?? resumed?.note ?? '');
  const [showValue, setShowValue] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string | undefined } | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  // The app locking unmounts every screen: keep what was typed here, except the value.
  const typedValue = value !== '';
  useEffect(() => {
    if (editing !== undefined) return undefined;
    return useLock.subscribe((state, previous) => {
      if (state.locked && !previous.locked && (key !== '' || note !== '' || typedValue)) {
        useDrafts.getState().keep({ project, environment: environment.name, key, note, hadValue: typedValue });
      }
    });
  }, [editing, project, environment.name, key, note, typedValue]);

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
      setError({ message: messageOf(caught), field: fieldOf(caught) });
      setBusy(false);
    }
  };
  const keyTaken = error?.field === 'key' && editing === undefined;

  return (
    <Dialog title={editing === undefined ? `New secret in ${environment.name}` : `Edit ${editing.key}`} onClose={() => props.onDone(false)} width="wide">
      <form className="form" onSubmit={submit} autoComplete="off">
        {resumed === undefined ? null : (
          <p className="hint warn" role="status">
            <Icon name="lock" size={14} /> Latchkey locked while you were adding this secret. The key and note are kept;
            {resumed.hadValue ? ' the value was cleared (no value stays in memory while locked) — type it again.' : ' type its value.'}
          </p>
        )}
        <label className="field">
          <span>Key</span>
          <input
            className="mono"
            value={key}
            readOnly={editing !== undefined}
            onChange={(event) => {
              setKey(event.target.value);
              // The error was about the key that was typed; a different key has not been tried yet.
              if (error?.field === 'key') setError(undefined);
            }}
            placeholder="API_KEY"
            spellCheck={false}
            aria-invalid={(key !== '' && !keyValid) || keyTaken}
            aria-describedby={keyTaken ? 'secret-key-error' : undefined}
          />
          {key !== '' && !keyValid ? <small className="field-error">Use {nameRules.key}.</small> : null}
          {keyTaken ? (
            <span className="field-error key-taken" id="secret-key-error" role="alert">
              {error.message}{' '}
              {props.onEditInstead === undefined ? null : (
                <button type="button" className="link-btn" onClick={() => props.onEditInstead?.(key)}>
                  Edit {key}
                </button>
              )}
            </span>
          ) : null}
        </label>
        <label className="field">
          <span>{editing === undefined ? 'Value' : 'New value (leave empty to keep the current one)'}</span>
          <div className="value-input">
            <textarea
              className={`mono${showValue ? '' : ' concealed'}`}
              value={value}
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
        <FormError error={keyTaken ? undefined : error?.message} />
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
