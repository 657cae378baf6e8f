import { useCallback, useRef } from 'react';
import { api } from '../../api';
import { ProgressBar } from '../../components/ProgressBar';
import { timeAgo } from '../../format';
import { BarList } from './charts/BarList';
import { HourlyChart } from './charts/HourlyChart';
import { useSessions } from '../../stores/sessions.store';
import { useLoader } from './useLoader';
import { ErrorBanner } from '../../components/ErrorBanner';

/**
 * The dashboard: live sessions by device type, OS and app version, sessions created and failed
 * validations per hour. A refresh walks the keyspace (so sessions of servers that keep no index count
 * too), so it must not hammer a production Redis: main runs one walk at a time per session server for
 * every window, app and CLI, and on the screen's timer the counts are walked again only once they are
 * due — after 20 times as long as the last walk took. "Refresh now" walks at once.
 */
export function AnalyticsPanel({ server, refreshTick }: { server: string; refreshTick: number }) {
  const reuse = useRef<'due' | 'now'>('due');
  // Sessions were revoked, extended or created here: the counts are walked again at once, not reused.
  const changes = useSessions((state) => state.changes);
  const walkedFor = useRef(changes);
  const fetchStats = useCallback(
    (operationId: string) => {
      const fresh = reuse.current === 'now' || walkedFor.current !== changes;
      const request = { operationId, server, hours: 24, reuse: fresh ? ('now' as const) : ('due' as const) };
      reuse.current = 'due';
      walkedFor.current = changes;
      return api.sessions.stats(request);
    },
    [server, changes],
  );
  const { value: stats, error, busy, progress, cancel, reload } = useLoader(fetchStats, `${server}#${refreshTick}#${changes}`);
  const refreshNow = () => {
    reuse.current = 'now';
    reload();
  };

  const failed24h = stats?.failedValidationsPerHour.reduce((sum, hour) => sum + hour.count, 0) ?? 0;

  return (
    <div className="analytics" aria-label="Session analytics">
      <ErrorBanner error={error} onRetry={reload} />
      {busy && stats === undefined ? <ProgressBar label="Counting sessions" progress={progress} onCancel={() => void cancel()} /> : null}
      {stats === undefined ? null : (
        <>
          <div className="stat-cards">
            <Stat label="Active sessions" value={stats.activeSessions} />
            <Stat label="Expiring within an hour" value={stats.expiringWithinHour} />
            <Stat label="Failed validations (24 h)" value={failed24h} tone={failed24h > 0 ? 'warn' : undefined} />
            <Stat label="Unusable keys" value={stats.problems} tone={stats.problems > 0 ? 'warn' : undefined} />
          </div>
          <div className="chart-grid">
            <BarList title="By device type" counts={stats.byDeviceType} />
            <BarList title="By OS" counts={stats.byOs} />
            <BarList title="By app version" counts={stats.byAppVersion} />
          </div>
          <div className="chart-grid two">
            <HourlyChart title="Sessions created per hour" hours={stats.createdPerHour} />
            <HourlyChart title="Failed validations per hour" hours={stats.failedValidationsPerHour} tone="danger" />
          </div>
          <div className="analytics-footer">
            <p className="muted small" data-testid="stats-freshness">
              Computed {timeAgo(stats.computedAt)}, took {duration(stats.tookMs)} · {stats.scannedKeys.toLocaleString()} keys walked, counted on {stats.countedOn === 'server' ? 'the session server' : 'this computer'}
              {stats.shared ? ' (by a walk another window, app or CLI ran)' : ''} · next refresh {timeAgo(stats.nextRefreshAt)}
              {busy ? ' · refreshing…' : ''}. “Created per hour” counts sessions still alive.
            </p>
            <button type="button" className="btn" disabled={busy} onClick={refreshNow}>
              Refresh now
            </button>
          </div>
        </>
      )}
    </div>
  );
}

function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function Stat({ label, value, tone }: { label: string; value: number; tone?: 'warn' }) {
  return (
    <div className={`stat-card${tone === undefined ? '' : ` ${tone}`}`}>
      <span className="stat-value">{value.toLocaleString()}</span>
      <span className="stat-label">{label}</span>
    </div>
  );
}
