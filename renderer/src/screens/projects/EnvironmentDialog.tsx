import { useEffect, useState, type FormEvent } from 'react';
import { ENVIRONMENT_NAME, nameRules } from '../../../../shared/names';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import { api, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { useConnections } from '../../stores/connections.store';
import { useProjects } from '../../stores/projects.store';
import { useToasts } from '../../stores/toasts.store';
import { KIND_LABELS, PREFIX_HINTS } from '../connections/connection-form';
import { FormError } from '../../components/FormError';
import { FormActions } from '../../components/FormActions';

export const COLOURS = ['#16a34a', '#0891b2', '#2563eb', '#7c3aed', '#d97706', '#dc2626', '#db2777', '#475569'];

const LOCAL = '';

/** Create an environment, or change one's name, colour, protection and where it is stored, or delete it. */
export function EnvironmentDialog({ project, editing, onDone }: { project: string; editing?: EnvironmentView; onDone(): void }) {
  const [name, setName] = useState(editing?.name ?? '');
  const [colour, setColour] = useState(editing?.colour ?? COLOURS[0]!);
  const [isProtected, setProtected] = useState(editing?.protected ?? false);
  // Where its secrets live: the local store (LOCAL) or a connection's name, with a prefix there.
  const [store, setStore] = useState(editing?.binding.backend === 'connection' ? editing.binding.connection : LOCAL);
  const [prefix, setPrefix] = useState(editing?.binding.backend === 'connection' ? editing.binding.prefix : '');
  const [error, setError] = useState<string | undefined>(undefined);
  const load = useProjects((state) => state.load);
  const select = useProjects((state) => state.select);
  const connections = useConnections((state) => state.connections);
  const loadConnections = useConnections((state) => state.load);
  useEffect(() => {
    void loadConnections();
  }, [loadConnections]);
  const chosen = connections.find((candidate) => candidate.name === store);
  const binding = store === LOCAL ? ({ backend: 'file' } as const) : ({ backend: 'connection', connection: store, prefix } as const);
  const bindingChanged = editing === undefined ? store !== LOCAL : JSON.stringify(editing.binding) !== JSON.stringify(binding);
  const toast = useToasts((state) => state.show);
  const valid = ENVIRONMENT_NAME.test(name);

  // An empty prefix points the environment at everything on the connection: say so, and ask.
  const wholeConnection = chosen !== undefined && prefix.trim() === '' && bindingChanged;
  const confirmWholeConnection = () =>
    confirm({
      title: `Use all of ${store}?`,
      body: `With no prefix, ${name} keeps its secrets at the top of ${store}: it lists every secret there, and deleting in ${name} deletes there. Give a prefix such as ${chosen === undefined ? 'app/staging/' : PREFIX_HINTS[chosen.kind].placeholder} to keep ${name} apart.`,
      confirmLabel: `Use all of ${store}`,
      tone: 'danger',
    });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    if (wholeConnection && !(await confirmWholeConnection())) return;
    try {
      if (editing === undefined) {
        await api.environments.create({ project, name, colour, protected: isProtected, ...(store === LOCAL ? {} : { binding }), ...(wholeConnection ? { confirmed: true } : {}) });
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
        await api.environments.update({
          project,
          name: editing.name,
          changes: { name, colour, protected: isProtected, ...(bindingChanged ? { binding } : {}) },
          confirmed: editing.protected || wholeConnection ? true : undefined,
        });
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
      body:
        editing.binding.backend === 'file'
          ? 'The environment and every secret it keeps in the local store are deleted. Type its name to confirm.'
          : `The environment is deleted; its secrets on ${editing.binding.connection} are not touched. Type its name to confirm.`,
      confirmLabel: 'Delete environment',
      tone: 'danger',
      typeToConfirm: editing.name,
    });
    if (!yes) return;
    try {
      await api.environments.remove({ project, name: editing.name, confirmed: true });
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
          <input value={name} data-autofocus onChange={(event) => setName(event.target.value)} placeholder="staging" spellCheck={false} />
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
        <label className="field">
          <span>Stored in</span>
          <select value={store} onChange={(event) => setStore(event.target.value)} aria-label="Stored in">
            <option value={LOCAL}>Local encrypted store (this computer)</option>
            {connections.map((connection) => (
              <option key={connection.name} value={connection.name}>
                {connection.name} — {KIND_LABELS[connection.kind]}
              </option>
            ))}
          </select>
          {connections.length === 0 ? <small className="muted">Add a connection in Connections to keep secrets in Vault, AWS, Google, Azure…</small> : null}
        </label>
        {chosen === undefined ? null : (
          <label className="field">
            <span>Prefix on {chosen.name}</span>
            <input className="mono" value={prefix} onChange={(event) => setPrefix(event.target.value)} placeholder={PREFIX_HINTS[chosen.kind].placeholder} spellCheck={false} aria-label="Prefix" />
            <small className="muted">{PREFIX_HINTS[chosen.kind].hint}</small>
            {prefix.trim() === '' ? (
              <small className="hint warn" data-testid="whole-connection">
                <Icon name="alert" size={14} /> No prefix: {name === '' ? 'this environment' : name} would use all of {chosen.name} — every secret there is listed, and deletes reach them. You will be asked to confirm.
              </small>
            ) : null}
          </label>
        )}
        {editing !== undefined && bindingChanged ? <p className="hint warn">Secrets already stored stay where they are; the environment will show what is at the new place.</p> : null}
        <label className="checkbox">
          <input type="checkbox" checked={isProtected} onChange={(event) => setProtected(event.target.checked)} />
          <span>
            Protected — every change asks for confirmation (use for production)
          </span>
        </label>
        <FormError error={error} />
        <FormActions
          start={
            editing === undefined ? null : (
              <button type="button" className="btn btn-danger-quiet" onClick={() => void remove()}>
                Delete environment
              </button>
            )
          }
          onCancel={onDone}
          submit={editing === undefined ? 'Create' : 'Save'}
          submitDisabled={!valid}
        />
      </form>
    </Dialog>
  );
}
