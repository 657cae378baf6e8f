/** For a change to a protected environment: type its name to confirm. */
export function TypedNameField({ name, value, onChange }: { name: string; value: string; onChange(value: string): void }) {
  return (
    <label className="field">
      <span>
        {name} is protected. Type <code>{name}</code> to confirm
      </span>
      <input value={value} onChange={(event) => onChange(event.target.value)} aria-label={`Type ${name} to confirm`} spellCheck={false} autoComplete="off" />
    </label>
  );
}
