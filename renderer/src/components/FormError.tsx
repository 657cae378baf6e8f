/** The error of a form or dialog, announced to screen readers; nothing when there is none. */
export function FormError({ error, id }: { error: string | undefined; id?: string }) {
  if (error === undefined) return null;
  return (
    <p className="form-error" role="alert" id={id}>
      {error}
    </p>
  );
}
