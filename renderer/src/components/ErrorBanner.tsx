/** A failure shown where it happened, with Retry or Dismiss when the screen offers one; nothing when there is none. */
export function ErrorBanner(props: { error: string | undefined; onRetry?: () => void; onDismiss?: () => void }) {
  if (props.error === undefined) return null;
  return (
    <div className="banner banner-error" role="alert">
      <span>{props.error}</span>
      {props.onRetry === undefined ? null : (
        <button type="button" className="btn" onClick={props.onRetry}>
          Retry
        </button>
      )}
      {props.onDismiss === undefined ? null : (
        <button type="button" className="btn" onClick={props.onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
