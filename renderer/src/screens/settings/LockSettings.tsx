import { useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { MIN_PASSPHRASE_LENGTH } from '../../../../shared/lock';
import { api, messageOf } from '../../api';
import { useLock } from '../../stores/lock.store';
import { useToasts } from '../../stores/toasts.store';
import { FormError } from '../../components/FormError';

const IDLE_CHOICES = [1, 2, 5, 10, 15, 30, 60];

/** The lock's settings: after how long it locks, and the optional app passphrase. */
export function LockSettings() {
  const { method, idleTimeoutMinutes } = useLock(useShallow((state) => ({ method: state.method, idleTimeoutMinutes: state.idleTimeoutMinutes })));
  const load = useLock((state) => state.load);
  const toast = useToasts((state) => state.show);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeated, setRepeated] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const hasPassphrase = method === 'passphrase';
  const tooShort = next !== '' && next.length < MIN_PASSPHRASE_LENGTH;
  const mismatch = repeated !== '' && repeated !== next;

  const run = async (work: () => Promise<unknown>, done: string) => {
    setError(undefined);
    try {
      await work();
      await load();
      toast('success', done);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setCurrent('');
      setNext('');
      setRepeated('');
    }
  };
  const savePassphrase = (event: FormEvent) => {
    event.preventDefault();
    void run(() => api.lock.setPassphrase(hasPassphrase ? { passphrase: next, current } : { passphrase: next }), 'The app passphrase is set.');
  };

  return (
    <div className="card">
      <h2>Lock</h2>
      <label className="field">
        <span>Lock after this long without activity (and whenever the screen locks or the computer sleeps)</span>
        <select
          value={idleTimeoutMinutes}
          aria-label="Idle timeout"
          onChange={(event) => void run(() => api.lock.setIdleTimeout({ minutes: Number(event.target.value) }), 'The idle timeout is saved.')}
        >
          {[...new Set([...IDLE_CHOICES, idleTimeoutMinutes])]
            .sort((a, b) => a - b)
            .map((minutes) => (
              <option key={minutes} value={minutes}>
                {minutes} {minutes === 1 ? 'minute' : 'minutes'}
              </option>
            ))}
        </select>
      </label>
      <form className="form" onSubmit={savePassphrase}>
        <p className="muted">
          {hasPassphrase
            ? 'Latchkey unlocks with your app passphrase, and starts locked.'
            : 'Latchkey unlocks through your OS keychain. Set an app passphrase to require it instead (only a scrypt hash of it is kept).'}
        </p>
        {hasPassphrase ? (
          <label className="field">
            <span>Current passphrase</span>
            <input type="password" value={current} autoComplete="off" onChange={(event) => setCurrent(event.target.value)} />
          </label>
        ) : null}
        <label className="field">
          <span>{hasPassphrase ? 'New passphrase' : 'App passphrase'}</span>
          <input type="password" value={next} autoComplete="new-password" aria-describedby="passphrase-rule" onChange={(event) => setNext(event.target.value)} />
          <small id="passphrase-rule" className={tooShort ? 'field-error' : 'muted'}>
            At least {MIN_PASSPHRASE_LENGTH} characters{tooShort ? ` (${MIN_PASSPHRASE_LENGTH - next.length} more)` : ''}. It cannot be recovered: without it, Latchkey stays locked.
          </small>
        </label>
        <label className="field">
          <span>Type it again</span>
          <input type="password" value={repeated} autoComplete="new-password" aria-invalid={mismatch} aria-describedby={mismatch ? 'passphrase-mismatch' : undefined} onChange={(event) => setRepeated(event.target.value)} />
          {mismatch ? (
            <small id="passphrase-mismatch" className="field-error">
              The two passphrases differ.
            </small>
          ) : null}
        </label>
        <FormError error={error} />
        <div className="form-actions">
          {hasPassphrase ? (
            <button
              type="button"
              className="btn btn-danger-quiet"
              disabled={current === ''}
              onClick={() => void run(() => api.lock.clearPassphrase({ current }), 'The app passphrase is removed.')}
            >
              Remove passphrase
            </button>
          ) : null}
          <span className="spacer" />
          <button type="submit" className="btn btn-primary" disabled={next.length < MIN_PASSPHRASE_LENGTH || repeated !== next || (hasPassphrase && current === '')}>
            {hasPassphrase ? 'Change passphrase' : 'Set passphrase'}
          </button>
        </div>
      </form>
    </div>
  );
}
