import { useCallback } from 'react';
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
 * validations per hour. One walk of the keyspace per refresh (so sessions of servers that keep no
 * index count too); a refresh overtaken by the next one is cancelled.
 */
export function AnalyticsPanel({ connection, refreshTick }: { connection: string; refreshTick: number }) {
  const fetchStats = useCallback((operationId: string) => api.sessions.stats({ operationId, connection, hours: 24 }), [connection]);
  const changes = useSessions((state) => state.changes);
  const { value: stats, error, busy, progress, cancel, reload } = useLoader(fetchStats, `${connection}#${refreshTick}#${changes}`);

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
          <p className="muted small">
            {stats.scannedKeys.toLocaleString()} keys walked · updated {timeAgo(stats.generatedAt)}
            {busy ? ' · refreshing…' : ''}. “Created per hour” counts sessions still alive.
          </p>
        </>
      )}
    </div>
  );
}

function Stat({ label, value, tone }: { label: string; value: number; tone?: 'warn' }) {
  return (
    <div className={`stat-card${tone === undefined ? '' : ` ${tone}`}`}>
      <span className="stat-value">{value.toLocaleString()}</span>
      <span className="stat-label">{label}</span>
    </div>
  );
}
