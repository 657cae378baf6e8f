import { useCallback, useEffect } from 'react';
import { estimateError, estimateText, type EstimateLike } from '../../../../shared/estimate-format';
import { api } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ProgressBar } from '../../components/ProgressBar';
import { BarList } from './charts/BarList';
import { HourlyChart } from './charts/HourlyChart';
import { useLoader } from './useLoader';

/**
 * The dashboard for a very large keyspace: the numbers estimated from a random sample of keys, each with
 * its 95 % interval, and *Exact count* to walk the keyspace instead (AnalyticsPanel). Main samples only
 * when the keyspace holds more keys than the session server's threshold; below it `onSmall` hands over
 * to the exact dashboard at once. A refresh samples again (about 40 short calls per 20,000 keys, far
 * less than a walk). What a sample cannot say honestly — sessions created per hour — is not shown.
 */
export function SampledAnalyticsPanel({ server, refreshTick, onSmall, onExact }: { server: string; refreshTick: number; onSmall: () => void; onExact: () => void }) {
  const fetchEstimate = useCallback((operationId: string) => api.sessions.estimate({ operationId, server, onlyWhenLarge: true }), [server]);
  const { value, error, busy, progress, cancel, reload } = useLoader(fetchEstimate, `${server}#${refreshTick}`);
  const stats = value?.stats;
  useEffect(() => {
    if (stats === null) onSmall();
  }, [stats, onSmall]);

  const failed24h = stats?.failedValidationsPerHour.reduce((sum, hour) => sum + hour.count, 0) ?? 0;
  const values = (estimates: Record<string, EstimateLike>) => Object.fromEntries(Object.entries(estimates).map(([name, estimate]) => [name, estimate.value]));

  return (
    <div className="analytics" aria-label="Session analytics">
      <ErrorBanner error={error} onRetry={reload} />
      {busy && value === undefined ? <ProgressBar label="Estimating sessions" progress={progress} onCancel={() => void cancel()} /> : null}
      {stats === undefined || stats === null ? null : (
        <>
          <p className="estimate-summary" data-testid="estimate-summary">
            {estimateText(stats.activeSessions)} active sessions, from a sample of {stats.sampled.toLocaleString()} keys, {duration(stats.tookMs)}
            <span className="muted small">
              {' '}
              (95 % interval {stats.activeSessions.low.toLocaleString()}–{stats.activeSessions.high.toLocaleString()}; the keyspace holds about {stats.keyspaceKeys.toLocaleString()} keys)
            </span>
          </p>
          <div className="stat-cards">
            <Stat label="Active sessions (estimated)" estimate={stats.activeSessions} />
            <Stat label="Expiring within an hour (estimated)" estimate={stats.expiringWithinHour} />
            <div className={`stat-card${failed24h > 0 ? ' warn' : ''}`}>
              <span className="stat-value">{failed24h.toLocaleString()}</span>
              <span className="stat-label">Failed validations (24 h)</span>
            </div>
            <Stat label="Unusable keys (estimated)" estimate={stats.problems} tone={stats.problems.value > 0 ? 'warn' : undefined} />
          </div>
          <div className="chart-grid">
            <BarList title="By device type (estimated)" counts={values(stats.byDeviceType)} />
            <BarList title="By OS (estimated)" counts={values(stats.byOs)} />
            <BarList title="By app version (estimated)" counts={values(stats.byAppVersion)} />
          </div>
          <div className="chart-grid two">
            <section className="card chart-card" aria-label="Sessions created per hour">
              <h3>Sessions created per hour</h3>
              <p className="muted">Not available from a sample: too few sampled sessions fall in each hour to say anything reliable. Use Exact count.</p>
            </section>
            <HourlyChart title="Failed validations per hour" hours={stats.failedValidationsPerHour} tone="danger" />
          </div>
          <div className="analytics-footer">
            <p className="muted small">
              Estimated from random keys (RANDOMKEY on each master); a bucket not drawn is not listed. {busy ? 'Sampling again…' : ''}
            </p>
            <div className="analytics-actions">
              <button type="button" className="btn" disabled={busy} onClick={reload}>
                Sample again
              </button>
              <button type="button" className="btn btn-primary" onClick={onExact}>
                Exact count
              </button>
            </div>
          </div>
        </>
      )}
    </div>
  );
}

function duration(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

function Stat({ label, estimate, tone }: { label: string; estimate: EstimateLike; tone?: 'warn' }) {
  return (
    <div className={`stat-card${tone === undefined ? '' : ` ${tone}`}`} title={`95 % interval ${estimate.low.toLocaleString()}–${estimate.high.toLocaleString()}`}>
      <span className="stat-value">≈ {estimate.value.toLocaleString()}</span>
      <span className="stat-label">
        {label} · {estimateError(estimate)}
      </span>
    </div>
  );
}
