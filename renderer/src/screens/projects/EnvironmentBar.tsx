import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { EnvironmentView, ProjectView } from '../../../../shared/ipc/projects.contract';
import { EnvironmentPill } from '../../components/EnvironmentPill';
import { Icon } from '../../components/Icon';
import { useProjects } from '../../stores/projects.store';
import { useDueCounts } from '../../stores/schedule.store';
import { EnvironmentDialog } from './EnvironmentDialog';

/** The element ids that tie the environment tabs to the panel they control (WAI-ARIA tabs). */
export const ENVIRONMENT_PANEL = 'environment-panel';
export const tabIdOf = (environment: string) => `environment-tab-${environment}`;

/**
 * Set when an arrow key opened another environment from its tab: the secrets screen of the new one
 * mounts its own bar, which then gives the focus to its selected tab (the one the key moved to).
 */
let focusSelectedTabOnMount = false;

/**
 * The open project's name, its environments as tabs (the WAI-ARIA tabs pattern: Tab reaches the
 * selected one; ←/→ move to the previous/next and open it, Home/End the first/last), and where the
 * current one is stored.
 */
export function EnvironmentBar({ project, environment }: { project: ProjectView; environment: EnvironmentView }) {
  const select = useProjects((state) => state.select);
  const dueOf = useDueCounts(project.name);
  const [dialog, setDialog] = useState<'create' | 'edit' | undefined>(undefined);
  const tabs = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!focusSelectedTabOnMount) return;
    focusSelectedTabOnMount = false;
    tabs.current?.querySelector<HTMLElement>('[role=tab][aria-selected=true]')?.focus();
  }, []);

  const move = (event: KeyboardEvent<HTMLButtonElement>) => {
    const names = project.environments.map((candidate) => candidate.name);
    const at = names.indexOf(environment.name);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: names.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const name = names[(to + names.length) % names.length]!;
    if (name === environment.name) return;
    focusSelectedTabOnMount = true;
    select(project.name, name);
  };

  return (
    <header className="env-bar" style={{ borderTopColor: environment.colour }}>
      <div className="env-bar-title">
        <h1 className="ellipsis" title={project.name}>
          {project.name}
        </h1>
        <span className="muted location" title={environment.location} data-testid="environment-location">
          {environment.backend}
          {environment.connection === undefined ? '' : ` (${environment.connection})`} · <span className="mono">{environment.location}</span>
        </span>
      </div>
      <div className="env-tabs">
        <div className="env-tablist" role="tablist" aria-label="Environments" ref={tabs}>
          {project.environments.map((candidate) => (
            <EnvironmentPill
              key={candidate.name}
              id={tabIdOf(candidate.name)}
              controls={ENVIRONMENT_PANEL}
              environment={candidate}
              due={dueOf(candidate.name)}
              active={candidate.name === environment.name}
              onClick={() => select(project.name, candidate.name)}
              onKeyDown={move}
            />
          ))}
        </div>
        <button type="button" className="icon-btn" aria-label="New environment" title="New environment" onClick={() => setDialog('create')}>
          <Icon name="plus" />
        </button>
        <button type="button" className="icon-btn" aria-label={`Settings of ${environment.name}`} title="Environment settings" onClick={() => setDialog('edit')}>
          <Icon name="settings" />
        </button>
      </div>
      {dialog === undefined ? null : (
        <EnvironmentDialog project={project.name} editing={dialog === 'edit' ? environment : undefined} onDone={() => setDialog(undefined)} />
      )}
    </header>
  );
}
