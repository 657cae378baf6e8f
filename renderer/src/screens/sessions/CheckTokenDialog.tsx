import { useState, type FormEvent } from 'react';
import type { SessionDetail } from '../../../../shared/ipc/sessions.contract';
import { api, messageOf } from '../../api';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { fullTime, timeAgo } from '../../format';
import { FormError } from '../../components/FormError';

/**
 * Check a pasted token as the API server would. The field is cleared as soon as the check is sent, so
 * the token stays in this dialog only for as long as it takes to paste it; the answer names the session
 * by its id. (A failed check counts as a failed validation in the analytics, as the server's would.)
 */
const REASONS = {
  unknown: 'No such session: it was revoked, has expired and been removed, or never existed.',
  expired: 'The session has expired.',
  malformed: 'The session record in Redis is malformed, so the server rejects it. Revoke it to clean up.',
} as const;

type Answer = { valid: true; session: SessionDetail } | { valid: false; reason: keyof typeof REASONS };

export function CheckTokenDialog({ server, onClose, onOpenDevice }: { server: string; onClose(): void; onOpenDevice(deviceId: string): void }) {
  const [token, setToken] = useState('');
  const [answer, setAnswer] = useState<Answer | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const check = async (event: FormEvent) => {
    event.preventDefault();
    const pasted = token.trim();
    if (pasted === '') return;
    setToken('');
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(await api.sessions.validate({ server, token: pasted }));
    } catch (caught) {
      setAnswer(undefined);
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Check a token"
      onClose={onClose}
      width="wide"
      footer={
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      }
    >
      <form className="inline-form" onSubmit={check} autoComplete="off">
        <label className="field grow">
          <span>Token</span>
          <input className="mono concealed" value={token} data-autofocus onChange={(event) => setToken(event.target.value)} placeholder="Paste a session token" spellCheck={false} aria-label="Token to check" />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy || token.trim() === ''}>
          Check
        </button>
      </form>
      <FormError error={error} />
      {answer === undefined ? null : answer.valid ? (
        <div className="result-card" role="status" aria-label="Token check">
          <Icon name="check" size={20} />
          <div>
            <strong>Valid.</strong>
            <span>
              Session <span className="mono">{answer.session.id.slice(0, 12)}</span> of user {answer.session.userId} on device{' '}
              <button type="button" className="link-btn" onClick={() => onOpenDevice(answer.session.deviceId)}>
                {answer.session.deviceId}
              </button>
              , expires <span title={fullTime(answer.session.expiresAt)}>{timeAgo(answer.session.expiresAt)}</span>.
            </span>
          </div>
        </div>
      ) : (
        <div className="result-card result-bad" role="status" aria-label="Token check">
          <Icon name="ban" size={20} />
          <div>
            <strong>Not valid.</strong>
            <span>{REASONS[answer.reason]}</span>
          </div>
        </div>
      )}
    </Dialog>
  );
}
