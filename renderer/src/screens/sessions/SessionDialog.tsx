import { useEffect, useState, type FormEvent } from 'react';
import type { SessionDetail } from '../../../../shared/ipc/sessions.contract';
import { api, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { fullTime, timeAgo } from '../../format';
import { useToasts } from '../../stores/toasts.store';
import { FormError } from '../../components/FormError';

/** One session: its owner, times and metadata; extend it or revoke it. */
export function SessionDialog({ server, id, onClose }: { server: string; id: string; onClose(changed: boolean): void }) {
  const toast = useToasts((state) => state.show);
  const [session, setSession] = useState<SessionDetail | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [hours, setHours] = useState('24');
  const [busy, setBusy] = useState(false);
  const [changed, setChanged] = useState(false);

  useEffect(() => {
    let current = true;
    api.sessions.session({ server, id })
      .then((found) => current && setSession(found))
      .catch((caught: unknown) => current && setError(messageOf(caught)));
    return () => {
      current = false;
    };
  }, [server, id]);

  const extend = async (event: FormEvent) => {
    event.preventDefault();
    const added = Number(hours);
    if (!Number.isFinite(added) || added <= 0) return;
    setBusy(true);
    try {
      const extended = await api.sessions.extend({ server, id, hours: added });
      setSession(extended);
      setChanged(true);
      setError(undefined);
      toast('success', `Extended session ${id.slice(0, 12)} by ${added} h.`);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    const yes = await confirm({
      title: `Revoke session ${id.slice(0, 12)}?`,
      body: `The session of user ${session?.userId ?? '?'} on device ${session?.deviceId ?? '?'} ends now; its token stops working at once.`,
      confirmLabel: 'Revoke session',
      tone: 'danger',
    });
    if (!yes) return;
    setBusy(true);
    try {
      const { revoked } = await api.sessions.revoke({ server, id });
      toast(revoked ? 'success' : 'info', revoked ? `Revoked session ${id.slice(0, 12)}.` : 'The session was already gone.');
      onClose(true);
    } catch (caught) {
      setError(messageOf(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Session ${id.slice(0, 12)}`}
      onClose={() => onClose(changed)}
      width="wide"
      footer={
        <>
          <button type="button" className="btn btn-danger-quiet" disabled={busy || session === undefined} onClick={() => void revoke()}>
            <Icon name="ban" /> Revoke
          </button>
          <span className="spacer" />
          <button type="button" className="btn" onClick={() => onClose(changed)}>
            Close
          </button>
        </>
      }
    >
      <FormError error={error} />
      {session === undefined ? (
        error === undefined ? <p className="muted">Loading…</p> : null
      ) : (
        <>
          <dl className="facts-grid">
            <dt>Id</dt>
            <dd className="mono">{session.id}</dd>
            <dt>User</dt>
            <dd>{session.userId}</dd>
            <dt>Device</dt>
            <dd>{session.deviceId}</dd>
            <dt>Created</dt>
            <dd>
              {fullTime(session.createdAt)} <span className="muted">({timeAgo(session.createdAt)})</span>
            </dd>
            <dt>Expires</dt>
            <dd data-testid="session-expires">
              {fullTime(session.expiresAt)} <span className="muted">({timeAgo(session.expiresAt)})</span>
            </dd>
          </dl>
          <div className="field">
            <span>Metadata</span>
            <pre className="value metadata">{JSON.stringify(session.metadata, null, 2)}</pre>
          </div>
          <form className="inline-form" onSubmit={extend}>
            <label className="field">
              <span>Extend by (hours)</span>
              <input type="number" min="1" max="8784" step="1" value={hours} onChange={(event) => setHours(event.target.value)} aria-label="Hours to extend by" />
            </label>
            <button type="submit" className="btn" disabled={busy}>
              <Icon name="clock" /> Extend
            </button>
          </form>
        </>
      )}
    </Dialog>
  );
}
