import { useEffect } from 'react';
import { api } from './api';
import { ConfirmHost } from './components/ConfirmHost';
import { Toasts } from './components/Toasts';
import { useLock } from './stores/lock.store';
import { useSchedule } from './stores/schedule.store';
import { useCurrent, useProjects } from './stores/projects.store';
import { useToasts } from './stores/toasts.store';
import { useUi } from './stores/ui.store';
import { AuditScreen } from './screens/audit/AuditScreen';
import { DiffScreen } from './screens/diff/DiffScreen';
import { IncidentScreen } from './screens/incident/IncidentScreen';
import { LockScreen } from './screens/lock/LockScreen';
import { Sidebar } from './screens/projects/Sidebar';
import { NoEnvironment } from './screens/projects/NoEnvironment';
import { Welcome } from './screens/projects/Welcome';
import { ConnectionsScreen } from './screens/connections/ConnectionsScreen';
import { SecretsScreen } from './screens/secrets/SecretsScreen';
import { SessionsScreen } from './screens/sessions/SessionsScreen';
import { SettingsScreen } from './screens/settings/SettingsScreen';
import { ErrorBanner } from './components/ErrorBanner';

export function App() {
  const { loaded, error, load } = useProjects();
  const { project, environment } = useCurrent();
  const { screen, theme, hideAllRevealed } = useUi();
  const toast = useToasts((state) => state.show);
  const locked = useLock((state) => state.locked);
  const lockLoaded = useLock((state) => state.loaded);

  useEffect(() => {
    void useLock
      .getState()
      .load()
      .then(() => (useLock.getState().locked ? undefined : load()))
      .catch(() => load());
  }, [load]);

  // Main locks the app (idle, screen lock, sleep, "Lock now"): hide every value at once and show only
  // the lock screen. On unlock, read the projects again.
  useEffect(
    () =>
      api.events.on('lock.changed', (event) => {
        if (event.locked) hideAllRevealed();
        useLock.getState().apply(event);
        if (!event.locked) void useLock.getState().load().then(load);
      }),
    [hideAllRevealed, load],
  );

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  // The rotation schedule of the open project: badges on its environments and secrets.
  const projectName = project?.name;
  useEffect(() => {
    if (projectName !== undefined && !locked) void useSchedule.getState().load(projectName);
  }, [projectName, locked]);

  // Revealed values do not stay on screen while the window is hidden.
  useEffect(() => {
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') hideAllRevealed();
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, [hideAllRevealed]);

  useEffect(
    () =>
      api.events.on('clipboard.cleared', ({ reason }) => {
        if (reason === 'timeout') toast('info', 'The clipboard was cleared.');
      }),
    [toast],
  );

  if (locked)
    return (
      <div className="app app-locked">
        <LockScreen />
        <Toasts />
      </div>
    );

  let main;
  if (!loaded || !lockLoaded) main = <section className="screen" aria-busy="true" />;
  else if (error !== undefined)
    main = (
      <section className="screen">
        <ErrorBanner error={error} onRetry={() => void load()} />
      </section>
    );
  else if (screen === 'settings') main = <SettingsScreen />;
  else if (screen === 'sessions') main = <SessionsScreen />;
  else if (screen === 'connections') main = <ConnectionsScreen />;
  else if (screen === 'incident') main = <IncidentScreen />;
  else if (screen === 'audit') main = <AuditScreen />;
  else if (screen === 'diff' && project !== undefined) main = <DiffScreen key={project.name} project={project} />;
  else if (project === undefined) main = <Welcome />;
  else if (environment === undefined) main = <NoEnvironment project={project} />;
  else main = <SecretsScreen key={`${project.name}/${environment.name}`} project={project} environment={environment} />;

  return (
    <div className="app">
      <Sidebar />
      <main className="main">{main}</main>
      <ConfirmHost />
      <Toasts />
    </div>
  );
}
