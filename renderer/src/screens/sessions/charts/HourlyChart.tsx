/**
 * A count per hour as an SVG column chart: one column per hour (oldest left), a baseline, the peak
 * value, and hour labels every few columns. Each column has a <title> so hovering tells its number.
 */
const WIDTH = 560;
const HEIGHT = 160;
const PAD = { top: 14, right: 8, bottom: 22, left: 36 };

export function HourlyChart({ title, hours, tone = 'primary' }: { title: string; hours: { hour: string; count: number }[]; tone?: 'primary' | 'danger' }) {
  const max = Math.max(1, ...hours.map((hour) => hour.count));
  const total = hours.reduce((sum, hour) => sum + hour.count, 0);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = hours.length === 0 ? 0 : plotWidth / hours.length;
  const labelEvery = Math.max(1, Math.ceil(hours.length / 8));
  const hourLabel = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return (
    <section className="card chart-card" aria-label={title}>
      <div className="chart-title">
        <h3>{title}</h3>
        <span className="muted">
          {total.toLocaleString()} in {hours.length} h
        </span>
      </div>
      <svg className={`hourly-chart tone-${tone}`} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title}: ${total} in the last ${hours.length} hours, at most ${max} in one hour`}>
        <text className="axis-text" x={PAD.left - 6} y={PAD.top + 4} textAnchor="end">
          {max.toLocaleString()}
        </text>
        <text className="axis-text" x={PAD.left - 6} y={PAD.top + plotHeight} textAnchor="end">
          0
        </text>
        <line className="grid-line" x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top} y2={PAD.top} />
        <line className="axis-line" x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top + plotHeight} y2={PAD.top + plotHeight} />
        {hours.map((hour, i) => {
          const height = (hour.count / max) * plotHeight;
          const x = PAD.left + i * step + step * 0.15;
          return (
            <g key={hour.hour}>
              <rect className="column" x={x} y={PAD.top + plotHeight - height} width={Math.max(1, step * 0.7)} height={height} rx={2}>
                <title>{`${hourLabel(hour.hour)}: ${hour.count.toLocaleString()}`}</title>
              </rect>
              {i % labelEvery === 0 ? (
                <text className="axis-text" x={PAD.left + i * step + step / 2} y={HEIGHT - 6} textAnchor="middle">
                  {hourLabel(hour.hour)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </section>
  );
}
