import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ConfirmHost } from './components/ConfirmHost';
import { ShortcutsHelp } from './components/ShortcutsHelp';
import { Toasts } from './components/Toasts';
import { useLock } from './stores/lock.store';
import { useCurrent, useProjects } from './stores/projects.store';
import { followMain, openProjects, startUp } from './stores/startup';
import { useUi } from './stores/ui.store';
import { AuditScreen } from './screens/audit/AuditScreen';
import { DiffScreen } from './screens/diff/DiffScreen';
import { IncidentScreen } from './screens/incident/IncidentScreen';
import { LockScreen } from './screens/lock/LockScreen';
import { Sidebar } from './screens/projects/Sidebar';
import { NoEnvironment } from './screens/projects/NoEnvironment';
import { Welcome } from './screens/projects/Welcome';
import { ConnectionsScreen } from './screens/connections/ConnectionsScreen';
import { ServicesScreen } from './screens/services/ServicesScreen';
import { SecretsScreen } from './screens/secrets/SecretsScreen';
import { SessionsScreen } from './screens/sessions/SessionsScreen';
import { SettingsScreen } from './screens/settings/SettingsScreen';
import { ErrorBanner } from './components/ErrorBanner';

export function App() {
  const { loaded, error } = useProjects(useShallow((state) => ({ loaded: state.loaded, error: state.error })));
  const { project, environment } = useCurrent();
  const screen = useUi((state) => state.screen);
  const locked = useLock((state) => state.locked);
  const lockLoaded = useLock((state) => state.loaded);

  useEffect(() => {
    const stop = followMain();
    void startUp();
    return stop;
  }, []);

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
        <ErrorBanner error={error} onRetry={() => void openProjects()} />
      </section>
    );
  else if (screen === 'settings') main = <SettingsScreen />;
  else if (screen === 'sessions') main = <SessionsScreen />;
  else if (screen === 'connections') main = <ConnectionsScreen />;
  else if (screen === 'services') main = <ServicesScreen />;
  else if (screen === 'incident') main = <IncidentScreen />;
  else if (screen === 'audit') main = <AuditScreen />;
  else if (screen === 'diff' && project !== undefined) main = <DiffScreen key={project.name} project={project} />;
  else if (project === undefined) main = <Welcome />;
  else if (environment === undefined) main = <NoEnvironment project={project} />;
  else main = <SecretsScreen key={`${project.name}/${environment.name}`} project={project} environment={environment} />;

  return (
    <div className="app">
      <Sidebar />
      <div className="main-column">
        <main className="main">{main}</main>
        <Toasts />
      </div>
      <ConfirmHost />
      <ShortcutsHelp />
    </div>
  );
}
