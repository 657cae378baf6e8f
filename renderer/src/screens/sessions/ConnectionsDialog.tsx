import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RedisConnectionView } from '../../../../shared/ipc/sessions.contract';
import { api, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { useSessions } from '../../stores/sessions.store';
import { useToasts } from '../../stores/toasts.store';
import { ConnectionForm } from './ConnectionForm';

/** The session servers (the Redis where the API server keeps its sessions): add, edit, test, remove. */
export function ConnectionsDialog({ onClose, startWith }: { onClose(): void; startWith?: 'new' }) {
  const { connections, load, select } = useSessions(useShallow((state) => ({ connections: state.connections, load: state.load, select: state.select })));
  const toast = useToasts((state) => state.show);
  const [editing, setEditing] = useState<RedisConnectionView | 'new' | undefined>(startWith);

  const remove = async (connection: RedisConnectionView) => {
    const yes = await confirm({
      title: `Remove session server ${connection.name}?`,
      body: `Latchkey forgets how to reach ${connection.target}${connection.hasPassword ? ' and removes its password from the keychain' : ''}. The sessions in Redis are not touched.`,
      confirmLabel: 'Remove session server',
      tone: 'danger',
    });
    if (!yes) return;
    try {
      await api.sessions.removeConnection({ name: connection.name });
      await load();
      toast('success', `Removed ${connection.name}.`);
    } catch (caught) {
      toast('error', messageOf(caught));
    }
  };

  const saved = async (name: string) => {
    await load();
    select(name);
    toast('success', `Saved session server ${name}.`);
    // Back to the screen, on the connection just saved.
    onClose();
  };

  return (
    <Dialog title={editing === undefined ? 'Session servers' : editing === 'new' ? 'New session server' : `Edit ${editing.name}`} onClose={onClose} width="wide">
      {editing !== undefined ? (
        <ConnectionForm key={editing === 'new' ? 'new' : editing.name} editing={editing === 'new' ? undefined : editing} onSaved={(name) => void saved(name)} onCancel={() => (startWith === 'new' ? onClose() : setEditing(undefined))} />
      ) : (
        <>
          {connections.length === 0 ? (
            <p className="muted">No session server yet.</p>
          ) : (
            <ul className="connection-list">
              {connections.map((connection) => (
                <li key={connection.name}>
                  <Icon name="server" />
                  <div className="grow">
                    <strong>{connection.name}</strong>
                    <span className="muted mono small">
                      {connection.target} · prefix {connection.settings.prefix ?? 'session:'}
                      {connection.settings.tls === undefined && connection.settings.url?.startsWith('rediss://') !== true ? '' : ' · TLS'}
                      {connection.hasPassword ? ' · password in keychain' : ''}
                    </span>
                  </div>
                  <button type="button" className="icon-btn" aria-label={`Edit ${connection.name}`} onClick={() => setEditing(connection)}>
                    <Icon name="edit" />
                  </button>
                  <button type="button" className="icon-btn danger" aria-label={`Remove ${connection.name}`} onClick={() => void remove(connection)}>
                    <Icon name="trash" />
                  </button>
                </li>
              ))}
            </ul>
          )}
          <div className="form-actions">
            <button type="button" className="btn" onClick={onClose}>
              Close
            </button>
            <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
              <Icon name="plus" /> Add session server
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
