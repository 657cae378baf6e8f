import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { EnvironmentView, ProjectView } from '../../../../shared/ipc/projects.contract';
import type { DueItem } from '../../../../shared/ipc/rotation.contract';
import type { SecretItem } from '../../../../shared/ipc/secrets.contract';
import { api, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { useOperation } from '../../operations';
import { useRotators, useRotatorsOf } from '../../stores/rotators.store';
import { useDrafts } from '../../stores/drafts.store';
import { useDueItems, useSchedule } from '../../stores/schedule.store';
import { filterSecrets, useSecrets } from '../../stores/secrets.store';
import { useToasts } from '../../stores/toasts.store';
import { EnvFilesMenu } from '../envfiles/EnvFilesMenu';
import { ENVIRONMENT_PANEL, EnvironmentBar, tabIdOf } from '../projects/EnvironmentBar';
import { RunCommand } from '../run/RunCommand';
import { SnapshotsDialog } from '../snapshots/SnapshotsDialog';
import { HistoryDialog } from './HistoryDialog';
import { PolicyDialog } from './PolicyDialog';
import { RotationStepsPanel } from './RotationStepsPanel';
import { SecretDialog } from './SecretDialog';
import { useRotationSteps } from './useRotationSteps';
import { SecretList } from './SecretList';
import type { RowActions } from './SecretRow';

type Editor = { mode: 'create' } | { mode: 'edit'; item: SecretItem } | { mode: 'history'; item: SecretItem } | { mode: 'policy'; item: SecretItem } | { mode: 'snapshots' } | undefined;

const isDue = (item: DueItem | undefined) => item?.status === 'overdue' || item?.status === 'due-soon';

/** Where an environment's secrets are read from: rows from one place are never shown under another. */
export const storageOf = (environment: EnvironmentView) => `${environment.backend}|${environment.connection ?? ''}|${environment.location}`;

/** The secrets of one environment: search, reveal, copy, add, edit, delete, rotate, history, schedule, .env. */
export function SecretsScreen({ project, environment }: { project: ProjectView; environment: EnvironmentView }) {
  const { items, query, loading, error } = useSecrets(useShallow((state) => ({ items: state.items, query: state.query, loading: state.loading, error: state.error })));
  const setQuery = useSecrets((state) => state.setQuery);
  const load = useSecrets((state) => state.load);
  const toast = useToasts((state) => state.show);
  const [editor, setEditor] = useState<Editor>(undefined);
  const [onlyDue, setOnlyDue] = useState(false);
  const [rotating, setRotating] = useState<string | undefined>(undefined);
  const search = useRef<HTMLInputElement>(null);
  const due = useDueItems(project.name, environment.name);
  const loadSchedule = useSchedule((state) => state.load);
  const rotators = useRotatorsOf(project.name, environment.name);
  const loadRotators = useRotators((state) => state.load);
  const serviceRotation = useRotationSteps();
  const interrupted = useDrafts((state) => state.interrupted);
  const resumed = interrupted?.project === project.name && interrupted.environment === environment.name ? interrupted : undefined;
  const where = storageOf(environment);

  const listing = useOperation();
  const { start: startListing, finish: finishListing } = listing;
  // Every listing runs as an operation, so a long one (a remote backend with many secrets) shows its progress.
  const reload = useCallback(async () => {
    const operationId = startListing();
    try {
      await load(project.name, environment.name, { where, operationId });
    } finally {
      finishListing();
    }
    await Promise.all([loadSchedule(project.name), loadRotators(project.name)]);
  }, [load, loadSchedule, loadRotators, startListing, finishListing, project.name, environment.name, where]);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  useEffect(() => {
    void reload();
  }, [reload]);

  // Keyboard: "/" searches, "n" adds a secret (when not typing somewhere); see the "?" overlay.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target !== null && (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.isContentEditable)) return;
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
      await api.secrets.remove({ project: project.name, environment: environment.name, key: item.key, confirmed: true });
      toast('success', `Deleted ${item.key}.`);
      await reload();
    } catch (caught) {
      setActionError(`${item.key} was not deleted: ${messageOf(caught)}`);
    }
  };

  const onUndoRotation = async (key: string) => {
    try {
      const undone = await api.rotation.rollback({ project: project.name, environment: environment.name, key });
      toast('success', `Undone: ${key} has its value from before the rotation again${undone.version === undefined ? '' : ` (version ${undone.version})`}.`);
    } catch (caught) {
      toast('error', messageOf(caught));
    }
    await reload();
  };

  /**
   * One click rotates by the rotation rule: a value Latchkey may generate gets a new one (an Undo in the
   * toast rolls it back); one rotated by hand (typed in, imported, a provider's key, a URL) is left as it
   * is, and the toast says why. A secret with a rotator is changed at its service, its steps shown live
   * in a panel (no Undo there: rolling back the stored copy alone would leave it disagreeing with the
   * service). A protected environment asks for its name first. The value is never shown.
   */
  const onRotate = async (item: SecretItem) => {
    const byHand = due.get(item.key)?.class === 'by-hand';
    const rotator = rotators.get(item.key);
    if (
      environment.protected &&
      (!byHand || rotator !== undefined) &&
      !(await confirm({
        title: `Rotate ${item.key}?`,
        body:
          rotator === undefined
            ? `A new value is generated by ${item.key}'s rotation policy and written as a new version in ${project.name}/${environment.name}. The current value stays in its history and can be restored.`
            : `The credential is changed at ${rotator.where}, tested, and written as a new version in ${project.name}/${environment.name}; then the old credential is retired there.`,
        confirmLabel: 'Rotate now',
        tone: 'danger',
        typeToConfirm: environment.name,
      }))
    ) {
      return;
    }
    setRotating(item.key);
    const operationId = serviceRotation.start(item.key, rotator?.name);
    try {
      const rotated = await api.rotation.rotate({ project: project.name, environment: environment.name, key: item.key, confirmed: environment.protected ? true : undefined, operationId });
      // A rotation at a service is told in the rotation panel (its steps and result); the rest in a notice.
      if (!serviceRotation.succeeded(rotated)) {
        if (rotated.rotated === false) {
          const why = rotated.rule?.class === 'by-hand' ? 'is rotated by hand, so Latchkey left it unchanged.' : 'was left unchanged here.';
          toast('info', `${item.key} ${why} ${rotated.rule?.reason ?? ''}`, { label: 'Policy…', run: () => setEditor({ mode: 'policy', item }) });
        } else {
          const what = `Rotated ${item.key}${rotated.version === undefined ? '' : ` → version ${rotated.version}`}.`;
          // Undo is a rollback; in a protected environment it is a deliberate act in History instead.
          if (environment.protected) toast('success', what);
          else toast('success', what, { label: 'Undo', run: () => void onUndoRotation(item.key) });
        }
      }
      if (rotated.warning !== undefined) toast('info', rotated.warning);
    } catch (caught) {
      if (!serviceRotation.failed(messageOf(caught))) toast('error', messageOf(caught));
    } finally {
      setRotating(undefined);
    }
    await reload();
  };

  // The rows are memoized: their actions keep their identity across renders (a keystroke re-renders no row).
  const latest = useRef({ onDelete, onRotate });
  useEffect(() => {
    latest.current = { onDelete, onRotate };
  });
  const actions = useMemo<RowActions>(
    () => ({
      onEdit: (target) => setEditor({ mode: 'edit', item: target }),
      onDelete: (target) => void latest.current.onDelete(target),
      onHistory: (target) => setEditor({ mode: 'history', item: target }),
      onRotate: (target) => void latest.current.onRotate(target),
      onPolicy: (target) => setEditor({ mode: 'policy', item: target }),
    }),
    [],
  );

  const dueCount = items.filter((item) => isDue(due.get(item.key))).length;
  const visible = useMemo(() => filterSecrets(items, query).filter((item) => !onlyDue || isDue(due.get(item.key))), [items, query, onlyDue, due]);
  const closeEditor = (changed: boolean) => {
    setEditor(undefined);
    if (changed) void reload();
  };
  const editInstead = (key: string) => {
    useDrafts.getState().clear();
    const found = items.find((item) => item.key === key);
    setEditor(found === undefined ? undefined : { mode: 'edit', item: found });
    // Not listed yet (added elsewhere since the list was read): read the list again first.
    if (found === undefined) void reload().then(() => {
      const fresh = useSecrets.getState().items.find((item) => item.key === key);
      if (fresh !== undefined) setEditor({ mode: 'edit', item: fresh });
    });
  };
  // Nothing is counted or listed while the list cannot be read: the error says why.
  const readable = error === undefined;
  const empty = readable && !loading && items.length === 0;

  return (
    <section className="screen screen-fill" aria-label="Secrets">
      <EnvironmentBar project={project} environment={environment} />
      <div className="env-panel" role="tabpanel" id={ENVIRONMENT_PANEL} aria-labelledby={tabIdOf(environment.name)}>
        <RunCommand project={project.name} environment={environment.name} />
        <div className="toolbar">
          <div className="search">
            <Icon name="search" />
            <input
              ref={search}
              type="search"
              placeholder="Search keys and notes"
              value={query}
              onChange={(event) => setQuery(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Escape') setQuery('');
              }}
              aria-label="Search secrets"
              aria-keyshortcuts="/"
            />
            <kbd className="shortcut-hint" aria-hidden="true">
              /
            </kbd>
          </div>
          {readable && !(loading && items.length === 0) ? (
            <span className="muted count" data-testid="secrets-count">
              {query === '' && !onlyDue ? `${items.length} secret${items.length === 1 ? '' : 's'}` : `${visible.length} of ${items.length}`}
            </span>
          ) : null}
          <button
            type="button"
            className={`btn filter-toggle${onlyDue ? ' active' : ''}`}
            aria-pressed={onlyDue}
            title="Show only secrets whose rotation is overdue or due soon"
            disabled={dueCount === 0 && !onlyDue}
            onClick={() => setOnlyDue(!onlyDue)}
          >
            <Icon name="calendar" /> Due ({dueCount})
          </button>
          <EnvFilesMenu project={project.name} environment={environment} onChanged={() => void reload()} />
          <button type="button" className="btn" aria-label="Snapshots" title={`Snapshots of ${environment.name}: restore it to one, or to a moment`} onClick={() => setEditor({ mode: 'snapshots' })}>
            <Icon name="history" /> <span className="label-wide">Snapshots</span>
          </button>
          <button type="button" className="btn btn-primary" aria-keyshortcuts="n" onClick={() => setEditor({ mode: 'create' })}>
            <Icon name="plus" /> New secret
          </button>
        </div>
        {serviceRotation.live === undefined ? null : <RotationStepsPanel live={serviceRotation.live} onClose={serviceRotation.close} />}
        {loading && (items.length === 0 || listing.progress !== undefined) ? (
          <ProgressBar progress={listing.progress} label={`Listing ${environment.name} on ${environment.backend}`} onCancel={() => void listing.cancel()} />
        ) : null}
        <ErrorBanner
          error={error === undefined ? undefined : `${environment.backend}${environment.connection === undefined ? '' : ` (${environment.connection})`}: ${error}`}
          onRetry={() => void reload()}
        />
        <ErrorBanner error={actionError} onDismiss={() => setActionError(undefined)} />
        {empty ? (
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
        ) : null}
        {readable && items.length > 0 ? (
          visible.length === 0 ? (
            <p className="muted empty-search">{onlyDue ? 'Nothing here is due for rotation.' : `Nothing matches “${query}”.`}</p>
          ) : (
            <SecretList project={project.name} environment={environment} items={visible} due={due} rotating={rotating} rotators={rotators} actions={actions} filterKey={`${query}|${onlyDue}`} />
          )
        ) : null}
      </div>
      {editor?.mode === 'create' || (editor === undefined && resumed !== undefined) ? (
        <SecretDialog
          project={project.name}
          environment={environment}
          {...(editor === undefined && resumed !== undefined ? { resumed } : {})}
          onEditInstead={editInstead}
          onDone={(changed) => {
            useDrafts.getState().clear();
            closeEditor(changed);
          }}
        />
      ) : null}
      {editor?.mode === 'edit' ? <SecretDialog project={project.name} environment={environment} editing={editor.item} onDone={closeEditor} /> : null}
      {editor?.mode === 'history' ? (
        <HistoryDialog project={project.name} environment={environment} secretKey={editor.item.key} onClose={(changed) => closeEditor(changed)} />
      ) : null}
      {editor?.mode === 'policy' ? <PolicyDialog project={project.name} environment={environment} secretKey={editor.item.key} onDone={closeEditor} /> : null}
      {editor?.mode === 'snapshots' ? <SnapshotsDialog project={project.name} environment={environment} onClose={closeEditor} /> : null}
    </section>
  );
}
