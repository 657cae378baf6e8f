import { useEffect, useState, type FormEvent } from 'react';
import type { SessionDetail } from '../../../../shared/ipc/sessions.contract';
import { api, messageOf } from '../../api';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { useToasts } from '../../stores/toasts.store';
import { useUi } from '../../stores/ui.store';
import { FormError } from '../../components/FormError';

/**
 * Create a session for a device. The token arrives once, in `create`'s answer, and lives only in this
 * dialog's state: shown for TOKEN_SECONDS, then dropped (also when the dialog closes or everything is
 * hidden at once). Copy sends it to main, which writes the clipboard and clears it later.
 */
export const TOKEN_SECONDS = 60;

export function CreateSessionDialog(props: { server: string; prefill?: { userId?: string; deviceId?: string }; onDone(created: boolean): void }) {
  const toast = useToasts((state) => state.show);
  const [userId, setUserId] = useState(props.prefill?.userId ?? '');
  const [deviceId, setDeviceId] = useState(props.prefill?.deviceId ?? '');
  const [ttlHours, setTtlHours] = useState('24');
  const [deviceType, setDeviceType] = useState('');
  const [os, setOs] = useState('');
  const [appVersion, setAppVersion] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<SessionDetail | undefined>(undefined);
  const [shown, setShown] = useState<{ token: string; until: number } | undefined>(undefined);
  const [now, setNow] = useState(() => Date.now());
  const hideEpoch = useUi((state) => state.hideEpoch);
  const [seenEpoch, setSeenEpoch] = useState(hideEpoch);

  if (seenEpoch !== hideEpoch) {
    setSeenEpoch(hideEpoch);
    setShown(undefined);
  }

  useEffect(() => {
    if (shown === undefined) return;
    const tick = setInterval(() => {
      const current = Date.now();
      if (current >= shown.until) setShown(undefined);
      else setNow(current);
    }, 250);
    return () => clearInterval(tick);
  }, [shown]);

  const ttl = Number(ttlHours);
  const canCreate = !busy && userId.trim() !== '' && deviceId.trim() !== '' && Number.isFinite(ttl) && ttl > 0 && ttl <= 8784;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canCreate) return;
    setBusy(true);
    setError(undefined);
    const metadata = Object.fromEntries(
      [
        ['device_type', deviceType],
        ['os', os],
        ['app_version', appVersion],
      ].filter(([, value]) => value!.trim() !== ''),
    ) as Record<string, string>;
    try {
      const answer = await api.sessions.create({ server: props.server, userId: userId.trim(), deviceId: deviceId.trim(), ttlHours: ttl, metadata });
      const start = Date.now();
      setNow(start);
      setShown({ token: answer.token, until: start + TOKEN_SECONDS * 1000 });
      setCreated(answer.session);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (shown === undefined) return;
    try {
      const { clearAfterSeconds } = await api.sessions.copyToken({ token: shown.token });
      toast('success', `Copied the token. The clipboard is cleared in ${clearAfterSeconds} s.`);
    } catch (caught) {
      toast('error', messageOf(caught));
    }
  };

  const close = () => {
    setShown(undefined);
    props.onDone(created !== undefined);
  };

  if (created !== undefined) {
    const secondsLeft = shown === undefined ? 0 : Math.max(0, Math.ceil((shown.until - now) / 1000));
    return (
      <Dialog
        title="Session created"
        onClose={close}
        width="wide"
        footer={
          <button type="button" className="btn btn-primary" onClick={close}>
            Done
          </button>
        }
      >
        <p>
          Session <span className="mono">{created.id.slice(0, 12)}</span> for user <strong>{created.userId}</strong> on device <strong>{created.deviceId}</strong>.
        </p>
        {shown === undefined ? (
          <p className="hint warn" data-testid="token-hidden">
            <Icon name="eyeOff" /> The token is hidden now and is not stored anywhere. If it was not copied, revoke this session and create another.
          </p>
        ) : (
          <div className="token-box">
            <span className="field-label">Token — shown once, for {secondsLeft} s</span>
            <code className="mono value" data-testid="created-token">
              {shown.token}
            </code>
            <span className="countdown" role="timer" aria-label={`hides in ${secondsLeft} seconds`}>
              <span className="countdown-bar" style={{ width: `${(secondsLeft / TOKEN_SECONDS) * 100}%` }} />
            </span>
            <div className="form-actions">
              <button type="button" className="btn" onClick={() => setShown(undefined)}>
                <Icon name="eyeOff" /> Hide now
              </button>
              <button type="button" className="btn btn-primary" onClick={() => void copy()}>
                <Icon name="copy" /> Copy token
              </button>
            </div>
          </div>
        )}
      </Dialog>
    );
  }

  return (
    <Dialog title="New session" onClose={close} width="wide">
      <form className="form" onSubmit={submit} autoComplete="off">
        <p className="muted">Creates a session exactly as the API server does (same key, fields and expiry); the device can use its token at once.</p>
        <div className="form-row">
          <label className="field">
            <span>User id</span>
            <input value={userId} data-autofocus={props.prefill?.userId === undefined ? true : undefined} onChange={(event) => setUserId(event.target.value)} spellCheck={false} />
          </label>
          <label className="field">
            <span>Device id</span>
            <input value={deviceId} onChange={(event) => setDeviceId(event.target.value)} spellCheck={false} />
          </label>
        </div>
        <div className="form-row">
          <label className="field">
            <span>Device type</span>
            <input value={deviceType} onChange={(event) => setDeviceType(event.target.value)} placeholder="wearable" spellCheck={false} />
          </label>
          <label className="field">
            <span>OS</span>
            <input value={os} onChange={(event) => setOs(event.target.value)} placeholder="wearOS 4" spellCheck={false} />
          </label>
          <label className="field">
            <span>App version</span>
            <input value={appVersion} onChange={(event) => setAppVersion(event.target.value)} placeholder="2.3.0" spellCheck={false} />
          </label>
        </div>
        <label className="field narrow-field">
          <span>Lifetime (hours)</span>
          <input type="number" min="1" max="8784" value={ttlHours} onChange={(event) => setTtlHours(event.target.value)} />
        </label>
        <FormError error={error} />
        <div className="form-actions">
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!canCreate}>
            Create session
          </button>
        </div>
      </form>
    </Dialog>
  );
}
