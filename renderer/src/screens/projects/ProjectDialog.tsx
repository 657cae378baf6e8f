import { useState, type FormEvent } from 'react';
import { PROJECT_NAME, nameRules } from '../../../../shared/names';
import { api, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { Dialog } from '../../components/Dialog';
import { useProjects } from '../../stores/projects.store';
import { useToasts } from '../../stores/toasts.store';
import { FormError } from '../../components/FormError';
import { FormActions } from '../../components/FormActions';

const STARTER_ENVIRONMENTS = ['dev', 'staging', 'prod'];

/** Create a project (with dev, staging and prod to start from), or rename or delete one. */
export function ProjectDialog({ editing, onDone }: { editing?: string; onDone(): void }) {
  const [name, setName] = useState(editing ?? '');
  const [starters, setStarters] = useState(true);
  const [error, setError] = useState<string | undefined>(undefined);
  const load = useProjects((state) => state.load);
  const select = useProjects((state) => state.select);
  const toast = useToasts((state) => state.show);
  const valid = PROJECT_NAME.test(name);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    try {
      if (editing === undefined) {
        await api.projects.create({ name });
        if (starters) for (const environment of STARTER_ENVIRONMENTS) await api.environments.create({ project: name, name: environment });
      } else if (name !== editing) {
        await api.projects.rename({ name: editing, newName: name });
      }
      await load();
      select(name);
      onDone();
    } catch (caught) {
      setError(messageOf(caught));
    }
  };

  const remove = async () => {
    if (editing === undefined) return;
    const yes = await confirm({
      title: `Delete project ${editing}?`,
      body: 'Every environment of the project and every secret they keep in the local store are deleted. Type the project name to confirm.',
      confirmLabel: 'Delete project',
      tone: 'danger',
      typeToConfirm: editing,
    });
    if (!yes) return;
    try {
      await api.projects.remove({ name: editing, confirmed: true });
      toast('success', `Deleted project ${editing}.`);
      await load();
      onDone();
    } catch (caught) {
      setError(messageOf(caught));
    }
  };

  return (
    <Dialog title={editing === undefined ? 'New project' : `Project ${editing}`} onClose={onDone}>
      <form className="form" onSubmit={submit}>
        <label className="field">
          <span>Name</span>
          <input value={name} data-autofocus onChange={(event) => setName(event.target.value)} placeholder="payments-api" spellCheck={false} />
          {name !== '' && !valid ? <small className="field-error">Use {nameRules.project}.</small> : null}
        </label>
        {editing === undefined ? (
          <label className="checkbox">
            <input type="checkbox" checked={starters} onChange={(event) => setStarters(event.target.checked)} />
            <span>Start with dev, staging and prod (prod protected)</span>
          </label>
        ) : null}
        <FormError error={error} />
        <FormActions
          start={
            editing === undefined ? null : (
              <button type="button" className="btn btn-danger-quiet" onClick={() => void remove()}>
                Delete project
              </button>
            )
          }
          onCancel={onDone}
          submit={editing === undefined ? 'Create project' : 'Save'}
          submitDisabled={!valid}
        />
      </form>
    </Dialog>
  );
}
