import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ConnectionView } from '../../../../shared/ipc/connections.contract';
import { Icon } from '../../components/Icon';
import { useConnections } from '../../stores/connections.store';
import { useProjects } from '../../stores/projects.store';
import { ConnectionDialog } from './ConnectionDialog';
import { KIND_LABELS } from './connection-form';
import { TestConnectionDialog } from './TestConnectionDialog';
import { ErrorBanner } from '../../components/ErrorBanner';

type Open = { mode: 'add' } | { mode: 'edit'; connection: ConnectionView } | { mode: 'test'; connection: ConnectionView } | undefined;

/** Where environments can keep their secrets besides the local store: list, add, edit, test, remove. */
export function ConnectionsScreen() {
  const { connections, loaded, error } = useConnections(useShallow((state) => ({ connections: state.connections, loaded: state.loaded, error: state.error })));
  const load = useConnections((state) => state.load);
  const reloadProjects = useProjects((state) => state.load);
  const [open, setOpen] = useState<Open>(undefined);

  useEffect(() => {
    void load();
  }, [load]);

  const close = (changed: boolean) => {
    setOpen(undefined);
    if (changed) {
      void load();
      // Environments show their connection's name and location.
      void reloadProjects();
    }
  };

  return (
    <section className="screen" aria-label="Connections">
      <header className="screen-header screen-header-row">
        <div>
          <h1>Connections</h1>
          <p className="muted">Vault, AWS, Google, Azure, environment variables or the OS keychain — where environments can keep their secrets. Credentials stay in your OS keychain.</p>
        </div>
        {/* With no connection yet, the empty state below has the one "Add connection". */}
        {loaded && connections.length === 0 && error === undefined ? null : (
          <button type="button" className="btn btn-primary" onClick={() => setOpen({ mode: 'add' })}>
            <Icon name="plus" /> Add connection
          </button>
        )}
      </header>
      <ErrorBanner error={error} onRetry={() => void load()} />
      {error !== undefined && connections.length === 0 ? null : loaded && connections.length === 0 ? (
        <div className="empty">
          <Icon name="plug" size={32} />
          <h3>No connections yet</h3>
          <p className="muted">Every environment uses the local encrypted store until you add a connection and choose it in the environment’s settings.</p>
          <button type="button" className="btn btn-primary" onClick={() => setOpen({ mode: 'add' })}>
            <Icon name="plus" /> Add connection
          </button>
        </div>
      ) : (
        <table className="secrets-table connections-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Where</th>
              <th>Credentials</th>
              <th>Environments</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {connections.map((connection) => (
              <tr key={connection.name} className="connection-row" data-connection={connection.name}>
                <td>
                  <span className="mono strong">{connection.name}</span>
                  <span className="note">{KIND_LABELS[connection.kind]}</span>
                </td>
                <td className="mono small">{connection.location}</td>
                <td>
                  {connection.credentials === 'stored' ? (
                    <span className="badge">stored ✓</span>
                  ) : connection.credentials === 'missing' ? (
                    <span className="badge badge-warn">not set</span>
                  ) : (
                    <span className="muted small">not needed</span>
                  )}
                </td>
                <td className="small">
                  {connection.environments.length === 0 ? (
                    <span className="muted">none</span>
                  ) : (
                    connection.environments.map((bound) => (
                      <span key={`${bound.project}/${bound.environment}`} className="bound-env mono">
                        {bound.project}/{bound.environment}
                      </span>
                    ))
                  )}
                </td>
                <td className="cell-actions">
                  <button type="button" className="btn" onClick={() => setOpen({ mode: 'test', connection })} aria-label={`Test connection ${connection.name}`}>
                    Test connection
                  </button>
                  <button type="button" className="icon-btn" aria-label={`Edit ${connection.name}`} title="Edit" onClick={() => setOpen({ mode: 'edit', connection })}>
                    <Icon name="edit" />
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open?.mode === 'add' ? <ConnectionDialog onDone={close} /> : null}
      {open?.mode === 'edit' ? <ConnectionDialog editing={open.connection} onDone={close} /> : null}
      {open?.mode === 'test' ? <TestConnectionDialog connection={open.connection} onClose={() => setOpen(undefined)} /> : null}
    </section>
  );
}
