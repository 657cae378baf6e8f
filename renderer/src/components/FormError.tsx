/** The error of a form or dialog, announced to screen readers; nothing when there is none. */
export function FormError({ error }: { error: string | undefined }) {
  if (error === undefined) return null;
  return (
    <p className="form-error" role="alert">
      {error}
    </p>
  );
}
