import { useState } from 'react';
import { Icon } from '../../components/Icon';
import { ProjectDialog } from './ProjectDialog';

/** What a new user sees: one step to a first project. */
export function Welcome() {
  const [open, setOpen] = useState(false);
  return (
    <section className="screen welcome" aria-label="Welcome">
      <div className="welcome-card">
        <Icon name="shield" size={40} />
        <h1>Welcome to Latchkey</h1>
        <p className="muted">
          Keep each project’s secrets per environment, encrypted on this machine with a key held by your OS keychain — or in Vault and the
          cloud secret managers.
        </p>
        <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
          <Icon name="plus" /> Create your first project
        </button>
      </div>
      {open ? <ProjectDialog onDone={() => setOpen(false)} /> : null}
    </section>
  );
}
