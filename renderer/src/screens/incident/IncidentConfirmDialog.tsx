import { useState } from 'react';
import { Dialog } from '../../components/Dialog';

/**
 * The last step before an incident runs (or resumes): what will happen, and for every protected
 * environment its name typed. Resolves with the typed names.
 */
export function IncidentConfirmDialog(props: { title: string; summary: string; protectedNames: string[]; confirmLabel: string; onAnswer(typedNames: string[] | undefined): void }) {
  const [typed, setTyped] = useState<Record<string, string>>({});
  const ready = props.protectedNames.every((name) => typed[name] === name);
  return (
    <Dialog
      title={props.title}
      onClose={() => props.onAnswer(undefined)}
      footer={
        <>
          <button type="button" className="btn" onClick={() => props.onAnswer(undefined)}>
            Cancel
          </button>
          <button type="button" className="btn btn-danger" disabled={!ready} onClick={() => props.onAnswer(props.protectedNames)}>
            {props.confirmLabel}
          </button>
        </>
      }
    >
      <p>{props.summary}</p>
      {props.protectedNames.map((name, index) => (
        <label key={name} className="field">
          <span>
            {name} is protected. Type <code>{name}</code> to confirm
          </span>
          <input
            data-autofocus={index === 0 ? true : undefined}
            value={typed[name] ?? ''}
            onChange={(event) => setTyped({ ...typed, [name]: event.target.value })}
            aria-label={`Type ${name} to confirm`}
            spellCheck={false}
            autoComplete="off"
          />
        </label>
      ))}
    </Dialog>
  );
}
