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
  const [error, setError] = useState<string | undefined>(undefined);
  const hasPassphrase = method === 'passphrase';

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
    }
  };
  const savePassphrase = (event: FormEvent) => {
    event.preventDefault();
    void run(() => api.lock.setPassphrase(hasPassphrase ? { passphrase: next, current } : { passphrase: next }), 'The app passphrase is set.');
  };

  return (
    <div className="card">
      <h2>Lock</h2>
      <label className="field inline-field">
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
          <input type="password" value={next} autoComplete="new-password" onChange={(event) => setNext(event.target.value)} />
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
          <button type="submit" className="btn btn-primary" disabled={next.length < MIN_PASSPHRASE_LENGTH || (hasPassphrase && current === '')}>
            {hasPassphrase ? 'Change passphrase' : 'Set passphrase'}
          </button>
        </div>
      </form>
    </div>
  );
}
