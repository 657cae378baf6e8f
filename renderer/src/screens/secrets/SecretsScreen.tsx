import { useCallback, useEffect, useRef, useState } from 'react';
import type { EnvironmentView, ProjectView } from '../../../../shared/ipc/projects.contract';
import type { SecretItem } from '../../../../shared/ipc/secrets.contract';
import { api, call, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { useOperation } from '../../operations';
import { filterSecrets, useSecrets } from '../../stores/secrets.store';
import { useToasts } from '../../stores/toasts.store';
import { EnvironmentBar } from '../projects/EnvironmentBar';
import { HistoryDialog } from './HistoryDialog';
import { SecretDialog } from './SecretDialog';
import { SecretRow } from './SecretRow';

type Editor = { mode: 'create' } | { mode: 'edit'; item: SecretItem } | { mode: 'history'; item: SecretItem } | undefined;

/** The secrets of one environment: search, reveal, copy, add, edit, delete, history. */
export function SecretsScreen({ project, environment }: { project: ProjectView; environment: EnvironmentView }) {
  const { items, query, loading, error, setQuery, load } = useSecrets();
  const toast = useToasts((state) => state.show);
  const [editor, setEditor] = useState<Editor>(undefined);
  const search = useRef<HTMLInputElement>(null);

  const listing = useOperation();
  const { start: startListing, finish: finishListing } = listing;
  // Every listing runs as an operation, so a long one (a remote backend with many secrets) shows its progress.
  const reload = useCallback(async () => {
    const operationId = startListing();
    try {
      await load(project.name, environment.name, operationId);
    } finally {
      finishListing();
    }
  }, [load, startListing, finishListing, project.name, environment.name]);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  useEffect(() => {
    void reload();
  }, [reload]);

  // Keyboard: "/" searches, "n" adds a secret (when not typing somewhere).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target !== null && ['INPUT', 'TEXTAREA'].includes(target.tagName)) return;
      if (document.querySelector('dialog[open]') !== null || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === '/') {
        event.preventDefault();
        search.current?.focus();
      } else if (event.key === 'n') {
        event.preventDefault();
        setEditor({ mode: 'create' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onDelete = async (item: SecretItem) => {
    setActionError(undefined);
    const yes = await confirm({
      title: `Delete ${item.key}?`,
      body: `${item.key} will be deleted from ${project.name}/${environment.name}. ${
        environment.features.softDelete ? `${environment.backend} keeps it recoverable for a while.` : 'This cannot be undone.'
      }`,
      confirmLabel: 'Delete secret',
      tone: 'danger',
      ...(environment.protected ? { typeToConfirm: environment.name } : {}),
    });
    if (!yes) return;
    try {
      await call(api.secrets.remove({ project: project.name, environment: environment.name, key: item.key, confirmed: true }));
      toast('success', `Deleted ${item.key}.`);
      await reload();
    } catch (caught) {
      setActionError(`${item.key} was not deleted: ${messageOf(caught)}`);
    }
  };

  const visible = filterSecrets(items, query);
  const closeEditor = (changed: boolean) => {
    setEditor(undefined);
    if (changed) void reload();
  };

  return (
    <section className="screen" aria-label="Secrets">
      <EnvironmentBar project={project} environment={environment} />
      <div className="toolbar">
        <div className="search">
          <Icon name="search" />
          <input
            ref={search}
            type="search"
            placeholder="Search keys and notes   /"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setQuery('');
            }}
            aria-label="Search secrets"
          />
        </div>
        <span className="muted count">
          {query === '' ? `${items.length} secret${items.length === 1 ? '' : 's'}` : `${visible.length} of ${items.length}`}
        </span>
        <button type="button" className="btn btn-primary" onClick={() => setEditor({ mode: 'create' })}>
          <Icon name="plus" /> New secret
        </button>
      </div>
      {loading && (items.length === 0 || listing.progress !== undefined) ? (
        <ProgressBar progress={listing.progress} label={`Listing ${environment.name} on ${environment.backend}`} onCancel={() => void listing.cancel()} />
      ) : null}
      {error === undefined ? null : (
        <div className="banner banner-error" role="alert">
          <span>
            {environment.backend}
            {environment.connection === undefined ? '' : ` (${environment.connection})`}: {error}
          </span>
          <button type="button" className="btn" onClick={() => void reload()}>
            Retry
          </button>
        </div>
      )}
      {actionError === undefined ? null : (
        <div className="banner banner-error" role="alert">
          <span>{actionError}</span>
          <button type="button" className="btn" onClick={() => setActionError(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      {items.length === 0 && !loading && error === undefined ? (
        <div className="empty">
          <Icon name="key" size={32} />
          <h3>No secrets in {environment.name} yet</h3>
          <p className="muted">
            {environment.binding.backend === 'file' ? 'Values are encrypted with a key kept in your OS keychain.' : `Stored in ${environment.backend} · ${environment.location}`}
          </p>
          <button type="button" className="btn btn-primary" onClick={() => setEditor({ mode: 'create' })}>
            <Icon name="plus" /> Add the first secret
          </button>
        </div>
      ) : (
        <table className="secrets-table">
          <thead>
            <tr>
              <th>Key</th>
              <th>Value</th>
              <th>Updated</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {visible.map((item) => (
              <SecretRow
                key={item.key}
                project={project.name}
                environment={environment}
                item={item}
                actions={{
                  onEdit: (target) => setEditor({ mode: 'edit', item: target }),
                  onDelete: (target) => void onDelete(target),
                  onHistory: (target) => setEditor({ mode: 'history', item: target }),
                }}
              />
            ))}
          </tbody>
        </table>
      )}
      {query !== '' && visible.length === 0 && items.length > 0 ? <p className="muted empty-search">Nothing matches “{query}”.</p> : null}
      {editor?.mode === 'create' ? <SecretDialog project={project.name} environment={environment} onDone={closeEditor} /> : null}
      {editor?.mode === 'edit' ? <SecretDialog project={project.name} environment={environment} editing={editor.item} onDone={closeEditor} /> : null}
      {editor?.mode === 'history' ? (
        <HistoryDialog project={project.name} environment={environment.name} secretKey={editor.item.key} onClose={() => setEditor(undefined)} />
      ) : null}
    </section>
  );
}

