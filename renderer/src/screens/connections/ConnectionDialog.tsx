import { useEffect, useState, type FormEvent } from 'react';
import type { ConnectionKind, ConnectionView } from '../../../../shared/ipc/connections.contract';
import { api, fieldOf, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { useToasts } from '../../stores/toasts.store';
import { credentialFields, credentialsOf, defaultValues, formFieldOf, KIND_LABELS, KIND_ORDER, SETTINGS_FIELDS, settingsOf, valuesOf, type FieldSpec, type FormValues } from './connection-form';
import { FormError } from '../../components/FormError';
import { FormActions } from '../../components/FormActions';

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

/**
 * Add a connection, or edit one: its settings, and its credentials — which are write-only. A stored
 * credential is never shown or sent back; the form says "stored" and an empty field keeps it.
 */
export function ConnectionDialog({ editing, onDone }: { editing?: ConnectionView; onDone(changed: boolean): void }) {
  const [name, setName] = useState(editing?.name ?? '');
  const [kind, setKind] = useState<ConnectionKind>(editing?.kind ?? 'vault');
  const [values, setValues] = useState<FormValues>(editing === undefined ? defaultValues('vault') : valuesOf(editing.kind, editing.settings));
  // Typed credentials live here only until the dialog closes.
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>(undefined);
  // The field main said was wrong: marked, described by the error, and given the focus.
  const [badField, setBadField] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const toast = useToasts((state) => state.show);

  const credentials = credentialFields(kind, values);
  useEffect(() => {
    if (badField !== undefined) document.getElementById(`connection-field-${badField}`)?.focus();
  }, [badField]);
  const markedProps = (name: string) =>
    badField === name ? { 'aria-invalid': true, 'aria-describedby': 'connection-error' } : {};
  const nameValid = NAME.test(name);
  const stored = editing !== undefined && editing.kind === kind && editing.credentials === 'stored';

  const chooseKind = (next: ConnectionKind) => {
    setKind(next);
    setValues(editing !== undefined && editing.kind === next ? valuesOf(next, editing.settings) : defaultValues(next));
    setTyped({});
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!nameValid || busy) return;
    const given = credentialsOf(credentials, typed);
    if (given.error !== undefined) {
      setError(given.error);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const settings = settingsOf(kind, values);
      if (editing === undefined) {
        await api.connections.add({ name, settings, ...(given.credentials === undefined ? {} : { credentials: given.credentials }) });
      } else {
        await api.connections.update({
          name: editing.name,
          changes: { ...(name === editing.name ? {} : { name }), settings, ...(given.credentials === undefined ? {} : { credentials: given.credentials }) },
        });
      }
      setTyped({});
      toast('success', editing === undefined ? `Added connection ${name}.` : `Saved connection ${name}.`);
      onDone(true);
    } catch (caught) {
      setError(messageOf(caught));
      setBadField(formFieldOf(fieldOf(caught), credentials.map((credential) => credential.name)));
      setBusy(false);
    }
  };

  const remove = async () => {
    if (editing === undefined) return;
    if (editing.environments.length > 0) {
      setError(`${editing.name} stores ${editing.environments.map((bound) => `${bound.project}/${bound.environment}`).join(', ')}. Choose another store for ${editing.environments.length === 1 ? 'that environment' : 'those environments'} first.`);
      return;
    }
    const yes = await confirm({
      title: `Remove ${editing.name}?`,
      body: 'Its settings and the credentials kept for it in the OS keychain are deleted. Secrets stored on the service itself are not touched.',
      confirmLabel: 'Remove connection',
      tone: 'danger',
    });
    if (!yes) return;
    try {
      await api.connections.remove({ name: editing.name, confirmed: true });
      toast('success', `Removed connection ${editing.name}.`);
      onDone(true);
    } catch (caught) {
      setError(messageOf(caught));
    }
  };

  const field = (spec: FieldSpec) => {
    if (spec.when !== undefined && !spec.when(values)) return null;
    const value = values[spec.name];
    const set = (next: string | boolean) => {
      setValues({ ...values, [spec.name]: next });
      if (badField === spec.name) setBadField(undefined);
    };
    if (spec.kind === 'checkbox') {
      return (
        <label className="checkbox" key={spec.name}>
          <input type="checkbox" id={`connection-field-${spec.name}`} checked={value === true} onChange={(event) => set(event.target.checked)} {...markedProps(spec.name)} />
          <span>{spec.label}</span>
        </label>
      );
    }
    return (
      <label className="field" key={spec.name}>
        <span>{spec.label}</span>
        {spec.kind === 'select' ? (
          <select id={`connection-field-${spec.name}`} value={String(value ?? '')} aria-label={spec.label} onChange={(event) => set(event.target.value)} {...markedProps(spec.name)}>
            {spec.options?.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        ) : (
          <input
            id={`connection-field-${spec.name}`}
            {...markedProps(spec.name)}
            className={spec.name === 'address' || spec.name.endsWith('Url') || spec.name === 'endpoint' ? 'mono' : undefined}
            type={spec.kind === 'number' ? 'number' : 'text'}
            value={String(value ?? '')}
            placeholder={spec.placeholder}
            spellCheck={false}
            aria-label={spec.label}
            onChange={(event) => set(event.target.value)}
          />
        )}
        {spec.hint === undefined ? null : <small className="muted">{spec.hint}</small>}
      </label>
    );
  };

  return (
    <Dialog title={editing === undefined ? 'New connection' : `Connection ${editing.name}`} onClose={() => onDone(false)} width="wide">
      <form className="form" onSubmit={submit} autoComplete="off">
        <div className="form-row">
          <label className="field">
            <span>Name</span>
            <input value={name} data-autofocus onChange={(event) => setName(event.target.value)} placeholder="staging-vault" spellCheck={false} aria-invalid={name !== '' && !nameValid} />
            {name !== '' && !nameValid ? <small className="field-error">Letters, digits, space, ".", "_" and "-", starting with a letter or digit.</small> : null}
          </label>
          <label className="field">
            <span>Kind</span>
            <select value={kind} onChange={(event) => chooseKind(event.target.value as ConnectionKind)} aria-label="Kind">
              {KIND_ORDER.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {KIND_LABELS[candidate]}
                </option>
              ))}
            </select>
          </label>
        </div>
        {SETTINGS_FIELDS[kind].filter((spec) => spec.advanced !== true).map(field)}
        {SETTINGS_FIELDS[kind].some((spec) => spec.advanced === true) ? (
          <details className="advanced" open={SETTINGS_FIELDS[kind].some((spec) => spec.advanced === true && spec.name === badField) ? true : undefined}>
            <summary>Advanced</summary>
            <div className="form">{SETTINGS_FIELDS[kind].filter((spec) => spec.advanced === true).map(field)}</div>
          </details>
        ) : null}
        {credentials.length === 0 ? null : (
          <fieldset className="field credentials">
            <legend>
              Credentials{' '}
              <span className={`badge${stored ? '' : ' muted'}`} data-testid="credentials-state">
                {stored ? 'stored ✓' : 'not set'}
              </span>
            </legend>
            <p className="muted hint">
              <Icon name="lock" size={14} /> Kept in your OS keychain, never shown again.{stored ? ' Leave empty to keep the stored ones.' : ''}
            </p>
            {credentials.map((credential) => (
              <label className="field" key={credential.name}>
                <span>{credential.label}</span>
                {credential.multiline === true ? (
                  <textarea id={`connection-field-${credential.name}`} {...markedProps(credential.name)} className="mono concealed" rows={4} value={typed[credential.name] ?? ''} spellCheck={false} autoComplete="off" onChange={(event) => setTyped({ ...typed, [credential.name]: event.target.value })} />
                ) : (
                  <input id={`connection-field-${credential.name}`} {...markedProps(credential.name)} type="password" className="mono" value={typed[credential.name] ?? ''} autoComplete="new-password" spellCheck={false} onChange={(event) => setTyped({ ...typed, [credential.name]: event.target.value })} />
                )}
              </label>
            ))}
          </fieldset>
        )}
        <FormError error={error} id="connection-error" />
        <FormActions
          start={
            editing === undefined ? null : (
              <button type="button" className="btn btn-danger-quiet" onClick={() => void remove()}>
                Remove connection
              </button>
            )
          }
          onCancel={() => onDone(false)}
          submit={editing === undefined ? 'Add connection' : 'Save'}
          submitDisabled={!nameValid || busy}
        />
      </form>
    </Dialog>
  );
}
