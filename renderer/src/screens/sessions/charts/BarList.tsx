/**
 * Counts by category as horizontal bars (SVG-free: a bar is a styled span), largest first; beyond
 * `limit` categories the rest are summed as "other", so a long tail of app versions stays readable.
 */
export function BarList({ title, counts, limit = 6 }: { title: string; counts: Record<string, number>; limit?: number }) {
  const sorted = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, limit);
  const rest = sorted.slice(limit).reduce((sum, [, n]) => sum + n, 0);
  if (rest > 0) shown.push([`${sorted.length - limit} other`, rest]);
  const total = sorted.reduce((sum, [, n]) => sum + n, 0);
  const max = Math.max(1, ...shown.map(([, n]) => n));
  return (
    <section className="card chart-card" aria-label={title}>
      <h3>{title}</h3>
      {shown.length === 0 ? (
        <p className="muted">No active sessions.</p>
      ) : (
        <ul className="bar-list">
          {shown.map(([name, n]) => (
            <li key={name} title={`${name}: ${n.toLocaleString()} (${Math.round((n / total) * 100)}%)`}>
              <span className="bar-label">{name}</span>
              <span className="bar-track">
                <span className="bar-fill" style={{ width: `${Math.max(2, (n / max) * 100)}%` }} />
              </span>
              <span className="bar-value">{n.toLocaleString()}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
