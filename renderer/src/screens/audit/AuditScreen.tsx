import { useCallback, useEffect, useMemo, useState } from 'react';
import { auditActions, type AuditAction } from '../../../../shared/audit';
import type { AuditEntryView } from '../../../../shared/ipc/audit.contract';
import type { ResultOf } from '../../../../shared/ipc/contract';
import { api, messageOf } from '../../api';
import { Icon } from '../../components/Icon';
import { fullTime, plural, timeAgo } from '../../format';
import { useProjects } from '../../stores/projects.store';
import { ErrorBanner } from '../../components/ErrorBanner';

/** Entries read at a time: the newest first, older ones on request. */
const PAGE = 200;

const PERIODS = [
  { label: 'Last hour', ms: 60 * 60 * 1000 },
  { label: 'Last 24 hours', ms: 24 * 60 * 60 * 1000 },
  { label: 'Last 7 days', ms: 7 * 24 * 60 * 60 * 1000 },
  { label: 'Last 30 days', ms: 30 * 24 * 60 * 60 * 1000 },
  { label: 'All time', ms: 0 },
] as const;

const ACTION_LABELS: Record<AuditAction, string> = {
  'secret.write': 'write',
  'secret.delete': 'delete',
  'secret.restore': 'restore',
  'secret.reveal': 'reveal',
  'secret.copy': 'copy to clipboard',
  'secret.rotate': 'rotate',
  'secret.rollback': 'roll back',
  'secret.mark-rotated': 'rotated by hand (marked)',
  'env.copy': 'copy between environments',
  'env.import': '.env import',
  'env.export': '.env export',
  'env.snapshot': 'snapshot taken',
  'env.prune-snapshots': 'snapshots pruned',
  'env.restore': 'environment restored',
  'import.mycelium': 'Mycelium import',
  'env.run': 'program run with secrets',
  'template.inject': 'template filled',
  'incident.run': 'incident',
  'incident.undo': 'incident undone',
  'session.revoke': 'session revocation',
  'session.create': 'session created',
  'session.extend': 'session extended',
  'session.index': 'sessions indexed',
  'audit.reset': 'new audit log started',
};

/**
 * The audit trail: who did what, where, when and with what outcome — never a value — filtered by action,
 * environment and time; and whether the hash chain is intact, or the first problem with its line.
 */
export function AuditScreen() {
  const projects = useProjects((state) => state.projects);
  const [action, setAction] = useState<AuditAction | ''>('');
  const [where, setWhere] = useState('');
  const [period, setPeriod] = useState(1);
  const [entries, setEntries] = useState<AuditEntryView[] | undefined>(undefined);
  const [total, setTotal] = useState(0);
  const [paging, setPaging] = useState(false);
  const [verification, setVerification] = useState<ResultOf<'audit', 'verify'> | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [checking, setChecking] = useState(false);

  const verify = useCallback(async () => {
    setChecking(true);
    try {
      setVerification(await api.audit.verify({}));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    api.audit.verify({})
      .then(setVerification)
      .catch((caught: unknown) => setError(messageOf(caught)));
  }, []);

  // The newest page first; "Show older entries" adds the page before the oldest shown, until all are.
  const filter = useMemo(() => {
    const [project, environment] = where === '' ? [undefined, undefined] : where.split('/');
    return {
      ...(action === '' ? {} : { actions: [action] }),
      ...(project === undefined ? {} : { project }),
      ...(environment === undefined ? {} : { environment }),
      periodMs: PERIODS[period]?.ms ?? 0,
      // A new verification means new entries may be there.
      verified: verification?.entries,
    };
  }, [action, where, period, verification]);
  /** The request for the filter, with the period counted back from now. */
  const requestOf = useCallback(({ periodMs, verified: _verified, ...rest }: typeof filter) => ({ ...rest, ...(periodMs === 0 ? {} : { since: new Date(Date.now() - periodMs).toISOString() }) }), []);
  useEffect(() => {
    api.audit
      .query({ ...requestOf(filter), limit: PAGE })
      .then((answer) => {
        setEntries([...answer.entries].reverse());
        setTotal(answer.total);
        setError(undefined);
      })
      .catch((caught: unknown) => setError(messageOf(caught)));
  }, [filter, requestOf]);
  const showOlder = async () => {
    const oldest = entries?.at(-1)?.seq;
    if (oldest === undefined) return;
    setPaging(true);
    try {
      const answer = await api.audit.query({ ...requestOf(filter), beforeSeq: oldest, limit: PAGE });
      setEntries((shown) => [...(shown ?? []), ...[...answer.entries].reverse()]);
      setTotal(answer.total);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setPaging(false);
    }
  };

  const first = verification?.problems[0];
  return (
    <section className="screen audit" aria-label="Audit">
      <header className="screen-header">
        <h1>
          <Icon name="audit" size={18} /> Audit trail
        </h1>
        <p className="muted">Every write, delete, reveal, copy, rotation, rollback, import, export and session revocation, chained by hash. Values are never recorded.</p>
      </header>
      {verification === undefined ? null : verification.intact ? (
        <div className="banner banner-ok" role="status" aria-label="Verification">
          <Icon name="check" />
          <span>
            Intact: {verification.entries.toLocaleString()} entries, chain unbroken. <span className="muted mono">{verification.path}</span>
          </span>
          <button type="button" className="btn" disabled={checking} onClick={() => void verify()}>
            Verify again
          </button>
        </div>
      ) : (
        <div className="banner banner-error" role="alert" aria-label="Verification">
          <span>
            <strong>The audit log was changed or damaged.</strong> {first?.message ?? ''}
            {verification.problems.length > 1 ? ` (${verification.problems.length - 1} more problem${verification.problems.length === 2 ? '' : 's'})` : ''}
          </span>
          <button type="button" className="btn" disabled={checking} onClick={() => void verify()}>
            Verify again
          </button>
        </div>
      )}
      <div className="toolbar audit-filters">
        <label className="inline-field">
          <span>Action</span>
          <select value={action} onChange={(event) => setAction(event.target.value as AuditAction | '')} aria-label="Action">
            <option value="">All actions</option>
            {auditActions.map((name) => (
              <option key={name} value={name}>
                {ACTION_LABELS[name]}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>Environment</span>
          <select value={where} onChange={(event) => setWhere(event.target.value)} aria-label="Environment">
            <option value="">All environments</option>
            {projects.flatMap((project) =>
              project.environments.map((environment) => (
                <option key={`${project.name}/${environment.name}`} value={`${project.name}/${environment.name}`}>
                  {project.name}/{environment.name}
                </option>
              )),
            )}
          </select>
        </label>
        <label className="inline-field">
          <span>Time</span>
          <select value={period} onChange={(event) => setPeriod(Number(event.target.value))} aria-label="Time">
            {PERIODS.map((option, index) => (
              <option key={option.label} value={index}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <span className="spacer" />
        <span className="muted count" data-testid="audit-count">
          {entries === undefined ? '' : entries.length === total ? plural(total, 'entry', 'entries') : `Newest ${entries.length.toLocaleString()} of ${plural(total, 'entry', 'entries')}`}
        </span>
      </div>
      <ErrorBanner error={error} />
      {entries !== undefined && entries.length === 0 ? (
        <div className="empty">
          <Icon name="audit" size={32} />
          <h3>Nothing recorded for these filters</h3>
        </div>
      ) : null}
      {entries === undefined || entries.length === 0 ? null : (
        <table className="data-table audit-table" aria-label="Audit entries">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Action</th>
              <th>Outcome</th>
              <th>Where</th>
              <th>What</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.seq} data-seq={entry.seq}>
                <td title={fullTime(entry.time)}>{timeAgo(entry.time)}</td>
                <td>{entry.user}</td>
                <td>{ACTION_LABELS[entry.action]}</td>
                <td>
                  <span className={`pill pill-outcome-${entry.outcome}`}>{entry.outcome}</span>
                  {entry.error_kind === undefined ? null : <span className="muted small"> {entry.error_kind}</span>}
                </td>
                <td>{entry.project === undefined ? '' : `${entry.project}${entry.environment === undefined ? '' : `/${entry.environment}`}`}</td>
                <td className="mono small audit-what">
                  {describe(entry)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {entries === undefined || entries.length >= total ? null : (
        <div className="page-more">
          <button type="button" className="btn" disabled={paging} onClick={() => void showOlder()}>
            Show {Math.min(PAGE, total - entries.length).toLocaleString()} older entries
          </button>
          <span className="muted">{(total - entries.length).toLocaleString()} not shown</span>
        </div>
      )}
    </section>
  );
}

function describe(entry: AuditEntryView): string {
  const parts: string[] = [];
  if (entry.ref !== undefined) parts.push(entry.ref);
  if (entry.command !== undefined) parts.push(`program ${entry.command}`);
  if (entry.keys !== undefined) parts.push(`variables ${entry.keys.join(', ')}${entry.counts?.total !== undefined && entry.counts.total > entry.keys.length ? ' …' : ''}`);
  if (entry.refs !== undefined) parts.push(entry.refs.join(', '));
  if (entry.exit_code !== undefined) parts.push(entry.signal === undefined ? `exit ${entry.exit_code}` : `killed by ${entry.signal} (exit ${entry.exit_code})`);
  if (entry.target_ref !== undefined) parts.push(`→ ${entry.target_ref}`);
  if (entry.version !== undefined) parts.push(`v${entry.version.length > 12 ? `${entry.version.slice(0, 8)}…` : entry.version}`);
  if (entry.sessions !== undefined) parts.push(`sessions: ${entry.sessions.scope}${entry.sessions.user_id === undefined ? '' : ` ${entry.sessions.user_id}`}${entry.sessions.device_id === undefined ? '' : ` ${entry.sessions.device_id}`}`);
  if (entry.counts !== undefined) parts.push(Object.entries(entry.counts).map(([name, count]) => `${name} ${count}`).join(', '));
  if (entry.report_id !== undefined) parts.push(`report ${entry.report_id}`);
  if (entry.snapshot_id !== undefined) parts.push(`snapshot ${entry.snapshot_id}`);
  return parts.join('  ');
}
