import { useEffect, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { LockReason } from '../../../../shared/lock';
import { api, CallError, messageOf } from '../../api';
import { Icon } from '../../components/Icon';
import { useLock } from '../../stores/lock.store';
import { FormError } from '../../components/FormError';

const WHY: Record<LockReason, string> = {
  idle: 'It locked itself after a while without activity.',
  'os-lock': 'It locked when your screen locked.',
  suspend: 'It locked when the computer went to sleep.',
  manual: 'You locked it.',
  startup: 'An app passphrase is set, so Latchkey starts locked.',
};

/**
 * Shown instead of everything else while the app is locked: nothing of the secrets screens stays
 * mounted. The passphrase lives in this component's state only and is cleared after every attempt.
 */
export function LockScreen() {
  const { reason, method } = useLock(useShallow((state) => ({ reason: state.reason, method: state.method })));
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [retryAt, setRetryAt] = useState<number | undefined>(undefined);
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (retryAt === undefined) return;
    const tick = setInterval(() => {
      const current = Date.now();
      setNow(current);
      if (current >= retryAt) setRetryAt(undefined);
    }, 250);
    return () => clearInterval(tick);
  }, [retryAt]);
  const waitSeconds = retryAt === undefined ? 0 : Math.max(0, Math.ceil((retryAt - now) / 1000));

  const unlock = async (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.lock.unlock(method === 'passphrase' ? { passphrase } : {});
      // main announces the unlock (lock.changed); App leaves this screen then.
    } catch (caught) {
      setError(messageOf(caught));
      const retryAfterMs = caught instanceof CallError ? caught.retryAfterMs : undefined;
      if (retryAfterMs !== undefined) {
        setNow(Date.now());
        setRetryAt(Date.now() + retryAfterMs);
      }
    } finally {
      setPassphrase('');
      setBusy(false);
    }
  };

  return (
    <section className="lock-screen" aria-label="Latchkey is locked">
      <div className="lock-card">
        <Icon name="lock" size={40} />
        <h1>Latchkey is locked</h1>
        <p className="muted">{reason === undefined ? 'Unlock to continue.' : WHY[reason]} Every revealed value was hidden and cached keys were dropped.</p>
        {method === 'passphrase' ? (
          <form className="form lock-form" onSubmit={(event) => void unlock(event)}>
            <label className="field">
              <span>App passphrase</span>
              <input type="password" value={passphrase} autoFocus autoComplete="off" spellCheck={false} onChange={(event) => setPassphrase(event.target.value)} />
            </label>
            <button type="submit" className="btn btn-primary" disabled={busy || passphrase === '' || waitSeconds > 0}>
              {waitSeconds > 0 ? `Try again in ${waitSeconds} s` : 'Unlock'}
            </button>
          </form>
        ) : (
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void unlock()}>
            <Icon name="key" /> Unlock with the OS keychain
          </button>
        )}
        <FormError error={error} />
      </div>
    </section>
  );
}
