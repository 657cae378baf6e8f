import type { EventPayload } from '../../../shared/ipc/events';

/** The progress of a long operation, with its step and a cancel button while it runs. */
export function ProgressBar({ progress, onCancel, label }: { progress: EventPayload<'operation.progress'> | undefined; onCancel?: () => void; label: string }) {
  const total = progress?.total;
  const percent = total === undefined || total === 0 ? undefined : Math.min(100, Math.round(((progress?.done ?? 0) / total) * 100));
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className="progress-track">
        <div className={`progress-fill${percent === undefined ? ' indeterminate' : ''}`} style={percent === undefined ? undefined : { width: `${percent}%` }} />
      </div>
      <div className="progress-text">
        <span>{progress?.message ?? label}</span>
        <span className="muted">{total === undefined ? (progress === undefined ? '' : progress.done.toLocaleString()) : `${progress?.done.toLocaleString() ?? 0} / ${total.toLocaleString()}`}</span>
        {onCancel === undefined ? null : (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </div>
  );
}
