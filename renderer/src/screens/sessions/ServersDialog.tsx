import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SessionServerView } from '../../../../shared/ipc/sessions.contract';
import { api, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { useSessions } from '../../stores/sessions.store';
import { useToasts } from '../../stores/toasts.store';
import { ServerForm } from './ServerForm';

/** The session servers (the Redis where the API server keeps its sessions): add, edit, test, remove. */
export function ServersDialog({ onClose, startWith }: { onClose(): void; startWith?: 'new' }) {
  const { servers, load, select } = useSessions(useShallow((state) => ({ servers: state.servers, load: state.load, select: state.select })));
  const toast = useToasts((state) => state.show);
  const [editing, setEditing] = useState<SessionServerView | 'new' | undefined>(startWith);

  const remove = async (server: SessionServerView) => {
    const yes = await confirm({
      title: `Remove session server ${server.name}?`,
      body: `Latchkey forgets how to reach ${server.target}${server.hasPassword ? ' and removes its password from the keychain' : ''}. The sessions in Redis are not touched.`,
      confirmLabel: 'Remove session server',
      tone: 'danger',
    });
    if (!yes) return;
    try {
      await api.sessions.removeServer({ name: server.name });
      await load();
      toast('success', `Removed ${server.name}.`);
    } catch (caught) {
      toast('error', messageOf(caught));
    }
  };

  const saved = async (name: string) => {
    await load();
    select(name);
    toast('success', `Saved session server ${name}.`);
    // Back to the screen, on the session server just saved.
    onClose();
  };

  return (
    <Dialog title={editing === undefined ? 'Session servers' : editing === 'new' ? 'New session server' : `Edit ${editing.name}`} onClose={onClose} width="wide">
      {editing !== undefined ? (
        <ServerForm key={editing === 'new' ? 'new' : editing.name} editing={editing === 'new' ? undefined : editing} onSaved={(name) => void saved(name)} onCancel={() => (startWith === 'new' ? onClose() : setEditing(undefined))} />
      ) : (
        <>
          {servers.length === 0 ? (
            <p className="muted">No session server yet.</p>
          ) : (
            <ul className="connection-list">
              {servers.map((server) => (
                <li key={server.name}>
                  <Icon name="server" />
                  <div className="grow">
                    <strong>{server.name}</strong>
                    <span className="muted mono small">
                      {server.target} · prefix {server.settings.prefix ?? 'session:'}
                      {server.settings.tls === undefined && server.settings.url?.startsWith('rediss://') !== true ? '' : ' · TLS'}
                      {server.hasPassword ? ' · password in keychain' : ''}
                    </span>
                  </div>
                  <button type="button" className="icon-btn" aria-label={`Edit ${server.name}`} onClick={() => setEditing(server)}>
                    <Icon name="edit" />
                  </button>
                  <button type="button" className="icon-btn danger" aria-label={`Remove ${server.name}`} onClick={() => void remove(server)}>
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
