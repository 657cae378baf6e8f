import type { ReactNode } from 'react';

/**
 * The button row of a form: an optional action on the left (Delete, Test connection…), then Cancel and
 * the submit button on the right.
 */
export function FormActions(props: { start?: ReactNode; onCancel: () => void; submit: ReactNode; submitDisabled: boolean }) {
  return (
    <div className="form-actions">
      {props.start}
      <span className="spacer" />
      <button type="button" className="btn" onClick={props.onCancel}>
        Cancel
      </button>
      <button type="submit" className="btn btn-primary" disabled={props.submitDisabled}>
        {props.submit}
      </button>
    </div>
  );
}
