import { useState, type FormEvent } from 'react';
import type { RegisteredServiceKind, ServiceView } from '../../../../shared/ipc/services.contract';
import { api, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { Dialog } from '../../components/Dialog';
import { FormActions } from '../../components/FormActions';
import { FormError } from '../../components/FormError';
import { Icon } from '../../components/Icon';
import { useConnections } from '../../stores/connections.store';
import { useToasts } from '../../stores/toasts.store';
import { ADMIN_URL_EXAMPLES, ADMIN_URL_HINTS, SERVICE_FIELDS, SERVICE_KIND_LABELS, SERVICE_KIND_ORDER, settingsOf, takesUrl, valuesOf, type ServiceFieldSpec, type ServiceFormValues } from './service-form';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Add a service, or edit one. The admin URL is write-only: typed here once, sent to main, which keeps
 * its password in the OS keychain and never sends it back; the form says "stored ✓" and an empty field
 * keeps what is stored. A service's name is fixed once rotators may refer to it.
 */
export function ServiceDialog({ editing, onDone }: { editing?: ServiceView; onDone(changed: boolean): void }) {
  const [name, setName] = useState(editing?.name ?? '');
  const [kind, setKind] = useState<RegisteredServiceKind>(editing?.kind ?? 'postgres');
  const [values, setValues] = useState<ServiceFormValues>(editing === undefined ? {} : valuesOf(editing.kind, editing.settings));
  // The typed admin URL lives here only until the dialog closes.
  const [adminUrl, setAdminUrl] = useState('');
  const [showUrl, setShowUrl] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const toast = useToasts((state) => state.show);
  const awsConnections = useConnections((state) => state.connections).filter((connection) => connection.kind === 'aws');

  const nameValid = NAME.test(name);
  const stored = editing?.credentials === 'stored';
  const needsUrl = editing === undefined && takesUrl(kind);
  const canSubmit = nameValid && !busy && (!needsUrl || adminUrl.trim() !== '') && (kind !== 'aws-iam' || values.connection !== undefined || editing !== undefined);

  const chooseKind = (next: RegisteredServiceKind) => {
    setKind(next);
    setValues({});
    setAdminUrl('');
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setError(undefined);
    const settings = settingsOf(kind, values);
    const url = adminUrl.trim() === '' ? {} : { adminUrl: adminUrl.trim() };
    try {
      if (editing === undefined) await api.services.add({ name, kind, ...url, ...(settings === undefined ? {} : { settings }) });
      else await api.services.update({ name: editing.name, ...url, ...(settings === undefined ? {} : { settings }) });
      setAdminUrl('');
      toast('success', editing === undefined ? `Added service ${name}.` : `Saved service ${name}.`);
      onDone(true);
    } catch (caught) {
      setError(messageOf(caught));
      setBusy(false);
    }
  };

  const remove = async () => {
    if (editing === undefined) return;
    if (editing.rotators.length > 0) {
      setError(`${editing.rotators.map((rotator) => `${rotator.project}/${rotator.environment}/${rotator.key}`).join(', ')} ${editing.rotators.length === 1 ? 'rotates' : 'rotate'} at ${editing.name}. Remove ${editing.rotators.length === 1 ? 'its rotator' : 'their rotators'} first (in each secret's rotation policy).`);
      return;
    }
    const yes = await confirm({
      title: `Remove ${editing.name}?`,
      body: 'Its settings and the admin credential kept for it in the OS keychain are deleted. Nothing changes at the service itself.',
      confirmLabel: 'Remove service',
      tone: 'danger',
    });
    if (!yes) return;
    try {
      await api.services.remove({ name: editing.name, confirmed: true });
      toast('success', `Removed service ${editing.name}.`);
      onDone(true);
    } catch (caught) {
      setError(messageOf(caught));
    }
  };

  const field = (spec: ServiceFieldSpec) => {
    const set = (next: string) => setValues({ ...values, [spec.name]: next });
    return (
      <label className="field" key={spec.name}>
        <span>{spec.label}</span>
        {spec.kind === 'select' ? (
          <select value={values[spec.name] ?? ''} onChange={(event) => set(event.target.value)}>
            {spec.options?.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        ) : (
          <input className="mono" type={spec.kind === 'number' ? 'number' : 'text'} value={values[spec.name] ?? ''} placeholder={spec.placeholder} spellCheck={false} onChange={(event) => set(event.target.value)} />
        )}
        {spec.hint === undefined ? null : <small className="muted">{spec.hint}</small>}
      </label>
    );
  };

  return (
    <Dialog title={editing === undefined ? 'New service' : `Service ${editing.name}`} onClose={() => onDone(false)} width="wide">
      <form className="form" onSubmit={submit} autoComplete="off">
        <div className="form-row">
          <label className="field">
            <span>Name</span>
            <input value={name} autoFocus={editing === undefined} readOnly={editing !== undefined} onChange={(event) => setName(event.target.value)} placeholder="pg-prod" spellCheck={false} aria-invalid={name !== '' && !nameValid} />
            {name !== '' && !nameValid ? <small className="field-error">Letters, digits, ".", "_" and "-", starting with a letter or digit.</small> : null}
          </label>
          <label className="field">
            <span>Kind</span>
            <select value={kind} disabled={editing !== undefined} onChange={(event) => chooseKind(event.target.value as RegisteredServiceKind)}>
              {SERVICE_KIND_ORDER.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {SERVICE_KIND_LABELS[candidate]}
                </option>
              ))}
            </select>
          </label>
        </div>
        {editing === undefined ? null : (
          <p className="muted small">
            Now: <span className="mono">{editing.location}</span>
          </p>
        )}
        {takesUrl(kind) ? (
          <fieldset className="field credentials">
            <legend>
              Admin URL{' '}
              {editing === undefined ? null : (
                <span className={`badge${stored ? '' : ' muted'}`} data-testid="credentials-state">
                  {stored ? 'credential stored ✓' : 'credential not set'}
                </span>
              )}
            </legend>
            <p className="muted hint">
              <Icon name="lock" size={14} /> Its password goes to your OS keychain and is never shown again; the rest becomes the service&apos;s address.
              {editing === undefined ? '' : ' Leave empty to keep the address and the stored credential.'}
            </p>
            <div className="inline-field wide">
              <input
                type={showUrl ? 'text' : 'password'}
                className="mono grow"
                aria-label={editing === undefined ? 'Admin URL' : 'New admin URL'}
                value={adminUrl}
                placeholder={ADMIN_URL_EXAMPLES[kind]}
                autoComplete="new-password"
                spellCheck={false}
                onChange={(event) => setAdminUrl(event.target.value)}
              />
              <button type="button" className="icon-btn" aria-label={showUrl ? 'Hide the admin URL' : 'Show the admin URL'} aria-pressed={showUrl} onClick={() => setShowUrl(!showUrl)}>
                <Icon name={showUrl ? 'eyeOff' : 'eye'} />
              </button>
            </div>
            <small className="muted">{ADMIN_URL_HINTS[kind]}</small>
          </fieldset>
        ) : (
          <label className="field">
            <span>AWS connection whose credentials manage the access keys</span>
            <select value={values.connection ?? ''} onChange={(event) => setValues({ ...values, connection: event.target.value })}>
              <option value="" disabled>
                {awsConnections.length === 0 ? 'No AWS connection yet — add one in Connections' : 'Choose a connection'}
              </option>
              {awsConnections.map((connection) => (
                <option key={connection.name} value={connection.name}>
                  {connection.name} ({connection.location})
                </option>
              ))}
            </select>
            <small className="muted">It needs iam:CreateAccessKey, UpdateAccessKey, DeleteAccessKey and ListAccessKeys on the users rotated here. A rotator with “changes itself” signs with the key it rotates instead.</small>
          </label>
        )}
        <details className="advanced" open={kind === 'aws-iam' ? true : undefined}>
          <summary>More settings</summary>
          <div className="form">{SERVICE_FIELDS[kind].map(field)}</div>
        </details>
        <FormError error={error} />
        <FormActions
          start={
            editing === undefined ? null : (
              <button type="button" className="btn btn-danger-quiet" onClick={() => void remove()}>
                Remove service
              </button>
            )
          }
          onCancel={() => onDone(false)}
          submit={editing === undefined ? 'Add service' : 'Save'}
          submitDisabled={!canSubmit}
        />
      </form>
    </Dialog>
  );
}
