import { useState } from 'react';
import type { ProjectView } from '../../../../shared/ipc/projects.contract';
import { Icon } from '../../components/Icon';
import { EnvironmentDialog } from './EnvironmentDialog';

/** A project without environments: secrets live in environments, so offer to add one. */
export function NoEnvironment({ project }: { project: ProjectView }) {
  const [open, setOpen] = useState(false);
  return (
    <section className="screen welcome" aria-label="No environments">
      <div className="welcome-card">
        <Icon name="folder" size={36} />
        <h1>{project.name} has no environments</h1>
        <p className="muted">Secrets are kept per environment — dev, staging, prod…</p>
        <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
          <Icon name="plus" /> Add an environment
        </button>
      </div>
      {open ? <EnvironmentDialog project={project.name} onDone={() => setOpen(false)} /> : null}
    </section>
  );
}
