import { useState } from 'react';
import { api, CallError, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { useOperation } from '../../operations';
import { useToasts } from '../../stores/toasts.store';

/**
 * What can be done with a finished search: revoke exactly the sessions it found (after a confirmation
 * that says how many, of how many users and devices — the count typed above TYPE_THE_COUNT_ABOVE), with
 * progress and Cancel; and export them to a file main asks for (CSV or JSON, 0600, never a token).
 */
export const TYPE_THE_COUNT_ABOVE = 100;

export interface FinishedResult {
  resultId: string;
  total: number;
  users: number;
  devices: number;
  truncated: boolean;
}

const sessions = (n: number) => `${n.toLocaleString()} session${n === 1 ? '' : 's'}`;
const of = (n: number, what: string) => `${n.toLocaleString()} ${what}${n === 1 ? '' : 's'}`;

export function ResultActions({ result, onRevoked }: { result: FinishedResult; onRevoked(outcome: { matched: number; revoked: number }): void }) {
  const toast = useToasts((state) => state.show);
  const operation = useOperation();
  const [revoking, setRevoking] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  const revoke = async () => {
    const whose = `${sessions(result.total)} of ${of(result.users, 'user')} on ${of(result.devices, 'device')}`;
    const yes = await confirm({
      title: `Revoke ${sessions(result.total)}?`,
      body: `${whose} will be signed out at once: exactly the sessions this search found. This cannot be undone, and it is recorded in the audit log.`,
      confirmLabel: `Revoke ${sessions(result.total)}`,
      tone: 'danger',
      ...(result.total > TYPE_THE_COUNT_ABOVE ? { typeToConfirm: String(result.total) } : {}),
    });
    if (!yes) return;
    setRevoking(true);
    setError(undefined);
    try {
      const outcome = await api.sessions.revokeResult({ operationId: operation.start(), resultId: result.resultId, expected: result.total, confirmed: true });
      toast('success', `Revoked ${sessions(outcome.revoked)}${outcome.revoked === outcome.matched ? '' : ` of ${outcome.matched.toLocaleString()} (the others were already gone)`}.`);
      onRevoked(outcome);
    } catch (caught) {
      setError(caught instanceof CallError && caught.kind === 'Cancelled' ? `${caught.message}` : messageOf(caught));
    } finally {
      operation.finish();
      setRevoking(false);
    }
  };

  const exportAs = async (format: 'csv' | 'json') => {
    setExporting(true);
    try {
      const written = await api.sessions.exportResult({ resultId: result.resultId, format });
      if (!written.cancelled) toast('success', `Exported ${sessions(written.count ?? 0)} to ${written.path ?? 'the file'} (readable only by you; no tokens).`);
    } catch (caught) {
      toast('error', messageOf(caught));
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <div className="result-actions">
        <button type="button" className="btn" disabled={exporting} onClick={() => void exportAs('csv')}>
          <Icon name="download" /> Export CSV
        </button>
        <button type="button" className="btn" disabled={exporting} onClick={() => void exportAs('json')}>
          <Icon name="download" /> Export JSON
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={revoking || result.truncated}
          title={result.truncated ? 'The search kept only part of what matches: narrow it to revoke from the app (or use latchkey sessions revoke --where …).' : undefined}
          onClick={() => void revoke()}
        >
          <Icon name="ban" /> Revoke {sessions(result.total)}…
        </button>
      </div>
      {revoking ? <ProgressBar label="Revoking sessions" progress={operation.progress} onCancel={() => void operation.cancel()} /> : null}
      {error === undefined ? null : (
        <p className="hint warn" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
