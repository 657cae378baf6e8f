import { useEffect, useState } from 'react';
import type { ProjectView } from '../../../../shared/ipc/projects.contract';
import type { SessionRevocationPlan } from '../../../../shared/rotation';
import { api, messageOf } from '../../api';
import { FormError } from '../../components/FormError';
import { EnvironmentPill } from '../../components/EnvironmentPill';
import { useUi } from '../../stores/ui.store';

/** What an incident covers: environments of one project or several, and optionally sessions to revoke. */
export interface SessionChoice {
  enabled: boolean;
  server: string;
  scope: SessionRevocationPlan['scope'];
  id: string;
}

export const targetId = (project: string, environment: string) => `${project}/${environment}`;

export function sessionPlanOf(choice: SessionChoice): { server: string; plan: SessionRevocationPlan } | undefined {
  if (!choice.enabled || choice.server === '') return undefined;
  if (choice.scope === 'all') return { server: choice.server, plan: { scope: 'all' } };
  if (choice.id.trim() === '') return undefined;
  return { server: choice.server, plan: choice.scope === 'user' ? { scope: 'user', user_id: choice.id.trim() } : { scope: 'device', device_id: choice.id.trim() } };
}

export function IncidentTargets(props: {
  projects: ProjectView[];
  selected: Set<string>;
  onToggle(id: string): void;
  sessions: SessionChoice;
  onSessions(choice: SessionChoice): void;
  disabled: boolean;
}) {
  const { projects, selected, sessions } = props;
  const [servers, setServers] = useState<string[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const go = useUi((state) => state.go);
  useEffect(() => {
    api.incidents
      .sessionServers({})
      .then((answer) => setServers(answer.servers))
      .catch((caught: unknown) => setError(`The session servers could not be listed: ${messageOf(caught)}`));
  }, []);
  const change = (patch: Partial<SessionChoice>) => props.onSessions({ ...sessions, ...patch });

  return (
    <div className="card incident-targets">
      <h2>1. Environments to rotate</h2>
      {projects.length === 0 ? <p className="muted">No projects yet.</p> : null}
      <div className="target-projects">
        {projects.map((project) => (
          <fieldset key={project.name} className="target-project" disabled={props.disabled}>
            <legend>{project.name}</legend>
            {project.environments.length === 0 ? <span className="muted small">No environments</span> : null}
            {project.environments.map((environment) => {
              const id = targetId(project.name, environment.name);
              return (
                <label key={id} className="checkbox target">
                  <input type="checkbox" checked={selected.has(id)} onChange={() => props.onToggle(id)} aria-label={`Include ${id}`} />
                  <EnvironmentPill environment={environment} />
                </label>
              );
            })}
          </fieldset>
        ))}
      </div>
      <h2>2. Sessions to revoke (optional)</h2>
      <FormError error={error} />
      {error !== undefined ? null : servers !== undefined && servers.length === 0 ? (
        <p className="muted no-session-server">
          No session server is set up, so this incident rotates secrets only. To revoke sessions too, add the API server’s Redis under{' '}
          <button type="button" className="link-btn" onClick={() => go('sessions')}>
            Sessions → Session servers
          </button>
          .
        </p>
      ) : (
        <fieldset className="sessions-choice" disabled={props.disabled || servers === undefined}>
          <label className="checkbox">
            <input type="checkbox" checked={sessions.enabled} onChange={(event) => change({ enabled: event.target.checked, server: sessions.server === '' ? (servers?.[0] ?? '') : sessions.server })} />
            <span>Also revoke sessions</span>
          </label>
          {sessions.enabled ? (
            <div className="sessions-fields">
              <label className="inline-field">
                <span>On</span>
                <select value={sessions.server} onChange={(event) => change({ server: event.target.value })} aria-label="Session server">
                  {(servers ?? []).map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
              </label>
              <div className="segmented" role="radiogroup" aria-label="Which sessions">
                {(['all', 'user', 'device'] as const).map((scope) => (
                  <button key={scope} type="button" role="radio" aria-checked={sessions.scope === scope} className={sessions.scope === scope ? 'active' : undefined} onClick={() => change({ scope })}>
                    {scope === 'all' ? 'All sessions' : scope === 'user' ? 'Of a user' : 'Of a device'}
                  </button>
                ))}
              </div>
              {sessions.scope === 'all' ? null : (
                <input value={sessions.id} onChange={(event) => change({ id: event.target.value })} placeholder={sessions.scope === 'user' ? 'user id' : 'device id'} aria-label={sessions.scope === 'user' ? 'User id' : 'Device id'} spellCheck={false} />
              )}
            </div>
          ) : null}
        </fieldset>
      )}
    </div>
  );
}
