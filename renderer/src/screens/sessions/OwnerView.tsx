import { useCallback, useState } from 'react';
import type { SessionRow } from '../../../../shared/ipc/sessions.contract';
import { api, messageOf } from '../../api';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { fullTime, timeAgo } from '../../format';
import { strategyOf, useSessions } from '../../stores/sessions.store';
import { useToasts } from '../../stores/toasts.store';
import { useLoader } from './useLoader';
import { useRevokeAll, type OwnerKind, type RevokeAllOutcome } from './useRevokeAll';
import { ErrorBanner } from '../../components/ErrorBanner';

/**
 * A device (or a user) drilled into: its metadata, who it belongs to, its sessions, and "Revoke all"
 * — the lost-device flow ends here, with the result stated on the page.
 */
export interface OwnerViewProps {
  server: string;
  kind: OwnerKind;
  id: string;
  refreshTick: number;
  onBack(): void;
  onOpen(kind: OwnerKind, id: string): void;
  onOpenSession(row: SessionRow): void;
  onCreate(prefill: { userId?: string; deviceId?: string }): void;
}

const METADATA_FIELDS: [string, string][] = [
  ['device_type', 'Device type'],
  ['os', 'OS'],
  ['app_version', 'App version'],
];

export function OwnerView(props: OwnerViewProps) {
  const { server, kind, id, refreshTick } = props;
  const indexOnly = useSessions((state) => state.indexOnly);
  const changes = useSessions((state) => state.changes);
  const changed = useSessions((state) => state.changed);
  const toast = useToasts((state) => state.show);
  const revoking = useRevokeAll(server);
  const [outcome, setOutcome] = useState<RevokeAllOutcome | undefined>(undefined);
  const [revokeError, setRevokeError] = useState<string | undefined>(undefined);
  const fetchSummary = useCallback(
    (operationId: string) => api.sessions.summary({ operationId, server, kind, id, strategy: strategyOf(indexOnly) }),
    [server, kind, id, indexOnly],
  );
  const loading = useLoader(fetchSummary, `${refreshTick}#${changes}`);
  const { value: summary, busy, reload } = loading;
  const error = revokeError ?? loading.error;

  const onRevokeAll = async () => {
    try {
      const answer = await revoking.revokeAll(kind, id);
      if (answer === 'nothing') toast('info', `No live sessions of ${kind} ${id} to revoke.`);
      if (typeof answer === 'object') {
        setOutcome(answer);
        toast('success', `Revoked ${plural(answer.result.revoked)} of ${kind} ${id}.`);
      }
      setRevokeError(undefined);
    } catch (caught) {
      setRevokeError(messageOf(caught));
    }
    // Whatever happened, every view of these sessions (this one, the results behind it) reads them again.
    changed();
  };

  const others = kind === 'device' ? summary?.users : summary?.devices;
  const extraMetadata = Object.entries(summary?.metadata ?? {}).filter(([field]) => !METADATA_FIELDS.some(([known]) => known === field));

  return (
    <div className="owner-view" aria-label={`${kind === 'device' ? 'Device' : 'User'} ${id}`}>
      <div className="owner-header">
        <button type="button" className="btn" onClick={props.onBack}>
          <Icon name="back" /> Results
        </button>
        <div className="owner-title">
          <span className="owner-kind">
            <Icon name={kind === 'device' ? 'devices' : 'user'} /> {kind === 'device' ? 'Device' : 'User'}
          </span>
          <h2 className="mono">{id}</h2>
          <span className="muted">
            {summary === undefined
              ? error === undefined
                ? 'Looking up its sessions…'
                : ''
              : `${plural(summary.count)} live${summary.newestCreatedAt === undefined ? '' : ` · newest ${timeAgo(summary.newestCreatedAt)}`}${summary.problems > 0 ? ` · ${summary.problems} unusable keys` : ''}`}
          </span>
        </div>
        <div className="owner-actions">
          {kind === 'device' ? (
            <button type="button" className="btn" onClick={() => props.onCreate({ deviceId: id, ...(summary?.users[0] === undefined ? {} : { userId: summary.users[0].id }) })}>
              <Icon name="plus" /> New session on this device
            </button>
          ) : (
            <button type="button" className="btn" onClick={() => props.onCreate({ userId: id })}>
              <Icon name="plus" /> New session for this user
            </button>
          )}
          <button type="button" className="btn btn-danger" disabled={busy || revoking.phase !== 'idle' || summary === undefined || summary.count === 0} onClick={() => void onRevokeAll()}>
            <Icon name="ban" /> Revoke all
          </button>
        </div>
      </div>

      {outcome === undefined ? null : (
        <div className="result-card" role="status" aria-label="Revocation result">
          <Icon name="check" size={20} />
          <div>
            <strong>
              Revoked {plural(outcome.result.revoked)} of {outcome.kind} {outcome.id}.
            </strong>
            <span className="muted">
              {outcome.result.strategy === 'index' ? 'Through the index only.' : `${outcome.result.viaIndex} through the index, ${outcome.result.viaScan} found by walking the keyspace.`}
              {outcome.result.skipped > 0 ? ` ${outcome.result.skipped} keys that are not sessions were left alone.` : ''} Recorded in the audit log.
            </span>
          </div>
          <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => setOutcome(undefined)}>
            <Icon name="close" />
          </button>
        </div>
      )}
      <ErrorBanner
        error={error}
        onRetry={() => {
          setRevokeError(undefined);
          reload();
        }}
      />
      {revoking.phase === 'revoking' ? <ProgressBar label="Revoking sessions" progress={revoking.progress} onCancel={() => void revoking.cancel()} /> : null}
      {busy && summary === undefined ? <ProgressBar label="Looking up sessions" progress={loading.progress} onCancel={() => void loading.cancel()} /> : null}

      {summary === undefined ? null : (
        <>
          <div className="owner-grid">
            <section className="card" aria-label="Metadata">
              <h3>{kind === 'device' ? 'Device' : 'Latest client'}</h3>
              <dl className="facts-grid">
                {METADATA_FIELDS.map(([field, label]) => (
                  <MetadataFact key={field} label={label} value={summary.metadata[field]} />
                ))}
                {extraMetadata.slice(0, 8).map(([field, value]) => (
                  <MetadataFact key={field} label={field} value={value} />
                ))}
                <dt>First seen</dt>
                <dd title={fullTime(summary.oldestCreatedAt)}>{summary.oldestCreatedAt === undefined ? '—' : timeAgo(summary.oldestCreatedAt)}</dd>
              </dl>
            </section>
            <section className="card" aria-label={kind === 'device' ? 'Users on this device' : 'Devices of this user'}>
              <h3>{kind === 'device' ? 'Signed in as' : 'Devices'}</h3>
              {others === undefined || others.length === 0 ? (
                <p className="muted">No live sessions.</p>
              ) : (
                <ul className="owner-list">
                  {others.map((other) => (
                    <li key={other.id}>
                      <button type="button" className="link-btn" onClick={() => props.onOpen(kind === 'device' ? 'user' : 'device', other.id)}>
                        <Icon name={kind === 'device' ? 'user' : 'devices'} /> {other.id}
                      </button>
                      <span className="badge muted">{plural(other.sessions)}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
          <section className="card" aria-label="Sessions">
            <h3>Sessions</h3>
            {summary.sessions.length === 0 ? (
              <p className="muted">No live sessions{outcome === undefined ? '' : ' — they were revoked'}.</p>
            ) : (
              <table className="secrets-table sessions-mini">
                <thead>
                  <tr>
                    <th>Session</th>
                    <th>{kind === 'device' ? 'User' : 'Device'}</th>
                    <th>Created</th>
                    <th>Expires</th>
                  </tr>
                </thead>
                <tbody>
                  {summary.sessions.map((row) => (
                    <tr key={row.id} className="secret-row clickable" data-session={row.id} onClick={() => props.onOpenSession(row)}>
                      <td className="mono">{row.id.slice(0, 12)}</td>
                      <td>{kind === 'device' ? row.userId : row.deviceId}</td>
                      <td title={fullTime(row.createdAt)}>{timeAgo(row.createdAt)}</td>
                      <td title={fullTime(row.expiresAt)}>{timeAgo(row.expiresAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {summary.count > summary.sessions.length ? <p className="muted">Showing the newest {summary.sessions.length} of {summary.count.toLocaleString()}.</p> : null}
          </section>
        </>
      )}
    </div>
  );
}

function MetadataFact({ label, value }: { label: string; value: unknown }) {
  const text = value === undefined || value === null ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
  return (
    <>
      <dt>{label}</dt>
      <dd>{text.length > 120 ? `${text.slice(0, 117)}...` : text}</dd>
    </>
  );
}

const plural = (n: number) => `${n.toLocaleString()} session${n === 1 ? '' : 's'}`;
