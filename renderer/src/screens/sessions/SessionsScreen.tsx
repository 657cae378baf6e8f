import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { useOperation } from '../../operations';
import { useSessions } from '../../stores/sessions.store';
import { useToasts } from '../../stores/toasts.store';
import { SessionDashboard } from './SessionDashboard';
import { CheckTokenDialog } from './CheckTokenDialog';
import { ServersDialog } from './ServersDialog';
import { CreateSessionDialog } from './CreateSessionDialog';
import { OwnerView } from './OwnerView';
import { SearchPanel } from './SearchPanel';
import { SessionDialog } from './SessionDialog';
import type { OwnerKind } from './useRevokeAll';
import { ErrorBanner } from '../../components/ErrorBanner';
import { plural } from '../../format';

/**
 * Sessions of the API server's mobile and wearable clients: pick a session server, search, drill into
 * a device or a user, revoke, extend, create, check a token, and the analytics dashboard. A Redis that
 * is down only affects this screen: each panel shows the message and a Retry.
 */
export const REFRESH_SECONDS = 30;

type View = { kind: 'results' } | { kind: 'owner'; owner: OwnerKind; id: string };
type Open = { kind: 'servers'; startWith?: 'new' } | { kind: 'session'; id: string } | { kind: 'create'; prefill?: { userId?: string; deviceId?: string } } | { kind: 'check' } | undefined;

export function SessionsScreen() {
  const { servers, loaded, error, selected, autoRefresh } = useSessions(
    useShallow((state) => ({ servers: state.servers, loaded: state.loaded, error: state.error, selected: state.selected, autoRefresh: state.autoRefresh })),
  );
  const { load, select, setAutoRefresh, changed } = useSessions(
    useShallow((state) => ({ load: state.load, select: state.select, setAutoRefresh: state.setAutoRefresh, changed: state.changed })),
  );
  const toast = useToasts((state) => state.show);
  const indexing = useOperation();
  const [tab, setTab] = useState<'search' | 'analytics'>('search');
  const [view, setView] = useState<View>({ kind: 'results' });
  const [open, setOpen] = useState<Open>(undefined);
  const [tick, setTick] = useState(0);
  const [indexRunning, setIndexRunning] = useState(false);

  useEffect(() => {
    void load();
  }, [load]);

  // Auto-refresh: the open panel reloads every REFRESH_SECONDS, not while a dialog is open or the window is hidden.
  useEffect(() => {
    if (!autoRefresh || selected === undefined) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'hidden' || document.querySelector('dialog[open]') !== null) return;
      setTick((current) => current + 1);
    }, REFRESH_SECONDS * 1000);
    return () => clearInterval(timer);
  }, [autoRefresh, selected]);

  const server = servers.find((candidate) => candidate.name === selected);
  const openOwner = (owner: OwnerKind, id: string) => {
    setOpen(undefined);
    setTab('search');
    setView({ kind: 'owner', owner, id });
  };

  const indexExisting = async () => {
    if (selected === undefined) return;
    const yes = await confirm({
      title: 'Index existing sessions?',
      body: "Latchkey walks every key under the prefix and adds the sessions it finds to its per-user and per-device indexes, so index-only lookups find sessions the API server wrote. Sessions themselves are not changed. On a large keyspace this takes a while; it can be cancelled and run again.",
      confirmLabel: 'Index sessions',
      tone: 'normal',
    });
    if (!yes) return;
    setIndexRunning(true);
    try {
      const result = await api.sessions.indexExisting({ operationId: indexing.start(), server: selected });
      toast('success', `Indexed ${plural(result.indexed, 'session')} (${plural(result.scannedKeys, 'key')} walked${result.problems > 0 ? `, ${result.problems} unusable` : ''}).`);
      changed();
    } catch (caught) {
      toast('error', messageOf(caught));
    } finally {
      indexing.finish();
      setIndexRunning(false);
    }
  };

  return (
    <section className="screen sessions-screen" aria-label="Sessions">
      <header className="sessions-header">
        <div className="env-bar-title">
          <h1>Sessions</h1>
          <span className="muted">{server === undefined ? 'Redis sessions of mobile and wearable clients' : `${server.target} · prefix ${server.settings.prefix ?? 'session:'}`}</span>
        </div>
        <div className="sessions-controls">
          {servers.length === 0 ? null : (
            <label className="select-field">
              <span>Session server</span>
              <select
                value={selected ?? ''}
                onChange={(event) => {
                  select(event.target.value);
                  setView({ kind: 'results' });
                }}
                aria-label="Session server"
              >
                {servers.map((candidate) => (
                  <option key={candidate.name} value={candidate.name}>
                    {candidate.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="button" className="btn" onClick={() => setOpen({ kind: 'servers' })}>
            <Icon name="server" /> Session servers
          </button>
          {selected === undefined ? null : (
            <button type="button" className="btn" aria-pressed={autoRefresh} title={`Refresh the open view every ${REFRESH_SECONDS} s`} onClick={() => setAutoRefresh(!autoRefresh)}>
              <Icon name={autoRefresh ? 'pause' : 'play'} /> {autoRefresh ? 'Pause auto-refresh' : 'Resume auto-refresh'}
            </button>
          )}
        </div>
      </header>

      <ErrorBanner error={error} onRetry={() => void load()} />

      {!loaded ? null : selected === undefined ? (
        <div className="empty">
          <Icon name="server" size={32} />
          <h3>Add the API server's session server</h3>
          <p className="muted">The Redis where the API server keeps its sessions: a single server, Sentinel or Cluster; TLS and ACL users supported. The password goes to your OS keychain.</p>
          <button type="button" className="btn btn-primary" onClick={() => setOpen({ kind: 'servers', startWith: 'new' })}>
            <Icon name="plus" /> Add session server
          </button>
        </div>
      ) : (
        <>
          <div className="tabs-row">
            <div role="tablist" aria-label="Sessions views" className="segmented">
              <button type="button" role="tab" aria-selected={tab === 'search'} className={tab === 'search' ? 'active' : undefined} onClick={() => setTab('search')}>
                <Icon name="search" /> Search
              </button>
              <button type="button" role="tab" aria-selected={tab === 'analytics'} className={tab === 'analytics' ? 'active' : undefined} onClick={() => setTab('analytics')}>
                <Icon name="chart" /> Analytics
              </button>
            </div>
            <span className="spacer" />
            <button type="button" className="btn" onClick={() => setOpen({ kind: 'check' })}>
              <Icon name="check" /> Check a token
            </button>
            {/* A drilled-down device or user has its own "New session on this device/for this user". */}
            {view.kind === 'owner' && tab === 'search' ? null : (
              <button type="button" className="btn" onClick={() => setOpen({ kind: 'create' })}>
                <Icon name="plus" /> New session
              </button>
            )}
            <button type="button" className="btn" disabled={indexRunning} onClick={() => void indexExisting()}>
              <Icon name="refresh" /> Index existing
            </button>
          </div>
          {indexRunning ? <ProgressBar label="Indexing existing sessions" progress={indexing.progress} onCancel={() => void indexing.cancel()} /> : null}

          <div hidden={tab !== 'search' || view.kind !== 'results'}>
            <SearchPanel key={selected} server={selected} refreshTick={tab === 'search' && view.kind === 'results' ? tick : 0} onOpen={openOwner} onOpenSession={(row) => setOpen({ kind: 'session', id: row.id })} />
          </div>
          {tab === 'search' && view.kind === 'owner' ? (
            <OwnerView
              key={`${selected}/${view.owner}/${view.id}`}
              server={selected}
              kind={view.owner}
              id={view.id}
              refreshTick={tick}
              onBack={() => setView({ kind: 'results' })}
              onOpen={openOwner}
              onOpenSession={(row) => setOpen({ kind: 'session', id: row.id })}
              onCreate={(prefill) => setOpen({ kind: 'create', prefill })}
            />
          ) : null}
          {tab === 'analytics' ? <SessionDashboard key={selected} server={selected} refreshTick={tick} /> : null}
        </>
      )}

      {open?.kind === 'servers' ? <ServersDialog startWith={open.startWith} onClose={() => setOpen(undefined)} /> : null}
      {open?.kind === 'session' && selected !== undefined ? (
        <SessionDialog
          server={selected}
          id={open.id}
          onClose={(didChange) => {
            setOpen(undefined);
            if (didChange) changed();
          }}
        />
      ) : null}
      {open?.kind === 'create' && selected !== undefined ? (
        <CreateSessionDialog
          server={selected}
          prefill={open.prefill}
          onDone={(created) => {
            setOpen(undefined);
            if (created) changed();
          }}
        />
      ) : null}
      {open?.kind === 'check' && selected !== undefined ? <CheckTokenDialog server={selected} onClose={() => setOpen(undefined)} onOpenDevice={(id) => openOwner('device', id)} /> : null}
    </section>
  );
}
