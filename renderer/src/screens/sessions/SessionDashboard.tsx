import { useCallback, useState } from 'react';
import { AnalyticsPanel } from './AnalyticsPanel';
import { SampledAnalyticsPanel } from './SampledAnalyticsPanel';

/**
 * The Analytics tab: the sampled estimate first where the keyspace is very large (main decides, by the
 * session server's threshold), the exact dashboard otherwise or once the person asks for *Exact count*.
 */
export function SessionDashboard({ server, refreshTick }: { server: string; refreshTick: number }) {
  const [exact, setExact] = useState(false);
  const toExact = useCallback(() => setExact(true), []);
  return exact ? <AnalyticsPanel server={server} refreshTick={refreshTick} /> : <SampledAnalyticsPanel server={server} refreshTick={refreshTick} onSmall={toExact} onExact={toExact} />;
}
