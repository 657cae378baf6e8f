import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api, messageOf } from '../../api';
import { EnvironmentPill } from '../../components/EnvironmentPill';
import { Icon, type IconName } from '../../components/Icon';
import { useProjects } from '../../stores/projects.store';
import { useDueCounts } from '../../stores/schedule.store';
import { useToasts } from '../../stores/toasts.store';
import { useUi, type Screen } from '../../stores/ui.store';
import { ProjectDialog } from './ProjectDialog';

const NAVIGATION: { screen: Screen; label: string; icon: IconName }[] = [
  { screen: 'secrets', label: 'Secrets', icon: 'key' },
  { screen: 'sessions', label: 'Sessions', icon: 'devices' },
  { screen: 'connections', label: 'Connections', icon: 'plug' },
  { screen: 'services', label: 'Services', icon: 'server' },
  { screen: 'incident', label: 'Incident', icon: 'alert' },
  { screen: 'diff', label: 'Compare', icon: 'columns' },
  { screen: 'audit', label: 'Audit', icon: 'audit' },
  { screen: 'settings', label: 'Settings', icon: 'settings' },
];

/** Projects with their environments, and the app's screens. */
export function Sidebar() {
  const { projects, selectedProject, selectedEnvironment } = useProjects(
    useShallow((state) => ({ projects: state.projects, selectedProject: state.selectedProject, selectedEnvironment: state.selectedEnvironment })),
  );
  const select = useProjects((state) => state.select);
  const screen = useUi((state) => state.screen);
  const go = useUi((state) => state.go);
  const showShortcuts = useUi((state) => state.showShortcuts);
  const [dialog, setDialog] = useState<{ editing?: string } | undefined>(undefined);
  const toast = useToasts((state) => state.show);
  const dueOf = useDueCounts(selectedProject);
  const lockNow = () => api.lock.lockNow({}).catch((error: unknown) => toast('error', messageOf(error)));
  return (
    <nav className="sidebar" aria-label="Projects">
      <div className="brand">
        <Icon name="shield" size={20} />
        <span>Latchkey</span>
        <span className="spacer" />
        <button type="button" className="icon-btn subtle" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" aria-keyshortcuts="?" onClick={() => showShortcuts(true)}>
          <Icon name="keyboard" />
        </button>
      </div>
      <div className="sidebar-section">
        <div className="sidebar-heading">
          <span>Projects</span>
          <button type="button" className="icon-btn" aria-label="New project" title="New project" onClick={() => setDialog({})}>
            <Icon name="plus" />
          </button>
        </div>
        <ul className="project-list">
          {projects.map((project) => (
            <li key={project.name} className={project.name === selectedProject ? 'active' : undefined}>
              <div className="project-row">
                <button
                  type="button"
                  className="project-name"
                  title={project.name}
                  onClick={() => {
                    select(project.name);
                    go('secrets');
                  }}
                >
                  <Icon name="folder" />
                  <span className="ellipsis">{project.name}</span>
                </button>
                <button type="button" className="icon-btn subtle" aria-label={`Settings of project ${project.name}`} onClick={() => setDialog({ editing: project.name })}>
                  <Icon name="more" />
                </button>
              </div>
              {project.name === selectedProject ? (
                <div className="project-envs">
                  {project.environments.map((environment) => (
                    <EnvironmentPill
                      key={environment.name}
                      environment={environment}
                      due={dueOf(environment.name)}
                      tab={false}
                      active={environment.name === selectedEnvironment && screen === 'secrets'}
                      onClick={() => {
                        select(project.name, environment.name);
                        go('secrets');
                      }}
                    />
                  ))}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      </div>
      <div className="sidebar-footer">
        {NAVIGATION.map((item) => (
          <button key={item.screen} type="button" className={`nav-item${screen === item.screen ? ' active' : ''}`} onClick={() => go(item.screen)}>
            <Icon name={item.icon} />
            <span>{item.label}</span>
          </button>
        ))}
        <button type="button" className="nav-item" onClick={() => void lockNow()}>
          <Icon name="lock" />
          <span>Lock now</span>
        </button>
      </div>
      {dialog === undefined ? null : <ProjectDialog {...dialog} onDone={() => setDialog(undefined)} />}
    </nav>
  );
}
