import { useState, type FormEvent } from 'react';
import { ENVIRONMENT_NAME, nameRules } from '../../../../shared/names';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import { api, call, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { Dialog } from '../../components/Dialog';
import { useProjects } from '../../stores/projects.store';
import { useToasts } from '../../stores/toasts.store';

export const COLOURS = ['#16a34a', '#0891b2', '#2563eb', '#7c3aed', '#d97706', '#dc2626', '#db2777', '#475569'];

/** Create an environment, or change one's name, colour and protection, or delete it. */
export function EnvironmentDialog({ project, editing, onDone }: { project: string; editing?: EnvironmentView; onDone(): void }) {
  const [name, setName] = useState(editing?.name ?? '');
  const [colour, setColour] = useState(editing?.colour ?? COLOURS[0]!);
  const [isProtected, setProtected] = useState(editing?.protected ?? false);
  const [error, setError] = useState<string | undefined>(undefined);
  const { load, select } = useProjects();
  const toast = useToasts((state) => state.show);
  const valid = ENVIRONMENT_NAME.test(name);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    try {
      if (editing === undefined) {
        await call(api.environments.create({ project, name, colour, protected: isProtected }));
      } else {
        if (editing.protected) {
          const yes = await confirm({
            title: `Change ${editing.name}?`,
            body: `${editing.name} is protected. Type its name to change its settings.`,
            confirmLabel: 'Save changes',
            tone: 'danger',
            typeToConfirm: editing.name,
          });
          if (!yes) return;
        }
        await call(api.environments.update({ project, name: editing.name, changes: { name, colour, protected: isProtected }, confirmed: editing.protected ? true : undefined }));
      }
      await load();
      select(project, name);
      onDone();
    } catch (caught) {
      setError(messageOf(caught));
    }
  };

  const remove = async () => {
    if (editing === undefined) return;
    const yes = await confirm({
      title: `Delete ${project}/${editing.name}?`,
      body: `The environment and every secret it keeps in the local store are deleted. Type its name to confirm.`,
      confirmLabel: 'Delete environment',
      tone: 'danger',
      typeToConfirm: editing.name,
    });
    if (!yes) return;
    try {
      await call(api.environments.remove({ project, name: editing.name, confirmed: true }));
      toast('success', `Deleted ${project}/${editing.name}.`);
      await load();
      select(project);
      onDone();
    } catch (caught) {
      setError(messageOf(caught));
    }
  };

  return (
    <Dialog title={editing === undefined ? `New environment in ${project}` : `Environment ${editing.name}`} onClose={onDone}>
      <form className="form" onSubmit={submit}>
        <label className="field">
          <span>Name</span>
          <input value={name} autoFocus onChange={(event) => setName(event.target.value)} placeholder="staging" spellCheck={false} />
          {name !== '' && !valid ? <small className="field-error">Use {nameRules.environment}.</small> : null}
        </label>
        <fieldset className="field">
          <legend>Colour</legend>
          <div className="swatches">
            {COLOURS.map((candidate) => (
              <button
                type="button"
                key={candidate}
                className={`swatch${candidate === colour ? ' selected' : ''}`}
                style={{ backgroundColor: candidate }}
                aria-label={`Colour ${candidate}`}
                aria-pressed={candidate === colour}
                onClick={() => setColour(candidate)}
              />
            ))}
          </div>
        </fieldset>
        <label className="checkbox">
          <input type="checkbox" checked={isProtected} onChange={(event) => setProtected(event.target.checked)} />
          <span>
            Protected — every change asks for confirmation (use for production)
          </span>
        </label>
        {error === undefined ? null : (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          {editing === undefined ? null : (
            <button type="button" className="btn btn-danger-quiet" onClick={() => void remove()}>
              Delete environment
            </button>
          )}
          <span className="spacer" />
          <button type="button" className="btn" onClick={onDone}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!valid}>
            {editing === undefined ? 'Create' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
