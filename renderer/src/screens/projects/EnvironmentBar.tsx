import { useState } from 'react';
import type { EnvironmentView, ProjectView } from '../../../../shared/ipc/projects.contract';
import { EnvironmentPill } from '../../components/EnvironmentPill';
import { Icon } from '../../components/Icon';
import { useProjects } from '../../stores/projects.store';
import { useDueCounts } from '../../stores/schedule.store';
import { EnvironmentDialog } from './EnvironmentDialog';

/** The open project's name, its environments as tabs, and where the current one is stored. */
export function EnvironmentBar({ project, environment }: { project: ProjectView; environment: EnvironmentView }) {
  const select = useProjects((state) => state.select);
  const dueOf = useDueCounts(project.name);
  const [dialog, setDialog] = useState<'create' | 'edit' | undefined>(undefined);
  return (
    <header className="env-bar" style={{ borderTopColor: environment.colour }}>
      <div className="env-bar-title">
        <h1>{project.name}</h1>
        <span className="muted location" title={environment.location} data-testid="environment-location">
          {environment.backend}
          {environment.connection === undefined ? '' : ` (${environment.connection})`} · <span className="mono">{environment.location}</span>
        </span>
      </div>
      <div className="env-tabs" role="tablist" aria-label="Environments">
        {project.environments.map((candidate) => (
          <EnvironmentPill key={candidate.name} environment={candidate} due={dueOf(candidate.name)} active={candidate.name === environment.name} onClick={() => select(project.name, candidate.name)} />
        ))}
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
