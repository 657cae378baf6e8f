import { useToasts } from '../stores/toasts.store';
import { Icon } from './Icon';

/**
 * The notices, in a strip of their own under the open screen: they push the screen up rather than
 * cover its last rows or a results table.
 */
export function Toasts() {
  const toasts = useToasts((state) => state.toasts);
  const dismiss = useToasts((state) => state.dismiss);
  return (
    <div className={`toasts${toasts.length === 0 ? ' toasts-empty' : ''}`} role="status" aria-live="polite" aria-label="Notices">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.tone}`} data-count={toast.count}>
          <span>{toast.text}</span>
          {toast.count > 1 ? (
            <span className="toast-count" aria-label={`${toast.count} times`}>
              ×{toast.count}
            </span>
          ) : null}
          {toast.action === undefined ? null : (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                dismiss(toast.id);
                toast.action?.run();
              }}
            >
              {toast.action.label}
            </button>
          )}
          <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
