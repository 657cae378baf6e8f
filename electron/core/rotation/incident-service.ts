import type { EnvironmentView } from '../environments/environment-view';
import { invalidInput } from '../errors';
import { markRotatedByHand, previewIncident, resumeIncident, runIncident, type IncidentDeps, type IncidentPreview, type IncidentRun, type RunOptions } from './incident';
import type { IncidentReport } from '../../../shared/incident-report';
import type { IncidentReportStore } from './incident-store';
import type { RotationDeps } from './rotate-secret';
import type { SessionRevocationPlan, SessionRevoker } from './session-revocation';

/**
 * Incident mode as the app and the command line ask for it: environments by project and name, sessions
 * by the name of a session server. The saved reports are listed and opened from here.
 */
export interface IncidentServiceDeps {
  viewEnvironment(project: string, environment: string): Promise<EnvironmentView>;
  rotation: RotationDeps;
  reports: IncidentReportStore;
  now: () => Date;
  /** The session revoker on a named session server; absent where sessions are not composed. */
  sessionsOn?: (server: string) => Promise<SessionRevoker>;
}

export interface EnvironmentName {
  project: string;
  environment: string;
}

export interface IncidentTargets {
  environments: EnvironmentName[];
  sessions?: { server: string; plan: SessionRevocationPlan };
  signal?: AbortSignal;
}

export function createIncidentService(deps: IncidentServiceDeps) {
  const base: IncidentDeps = { ...deps.rotation, reports: deps.reports, now: deps.now, openEnvironment: (project, name) => deps.viewEnvironment(project, name) };

  const withSessions = async (server: string | undefined): Promise<IncidentDeps> => {
    if (server === undefined) return base;
    if (deps.sessionsOn === undefined) throw invalidInput('Session revocation is not available here: Latchkey was started without session administration.');
    return { ...base, sessions: await deps.sessionsOn(server) };
  };

  const open = async (targets: IncidentTargets) => {
    if (targets.environments.length === 0) throw invalidInput('Choose at least one environment.');
    const unique = [...new Map(targets.environments.map((target) => [`${target.project}/${target.environment}`, target])).values()];
    const views = await Promise.all(unique.map((target) => deps.viewEnvironment(target.project, target.environment)));
    return {
      incidentDeps: await withSessions(targets.sessions?.server),
      request: {
        environments: views,
        ...(targets.sessions === undefined ? {} : { sessions: targets.sessions.plan, sessionServer: targets.sessions.server }),
        ...(targets.signal === undefined ? {} : { signal: targets.signal }),
      },
    };
  };

  return {
    /** Every secret of the environments, rotatable or not (and why not), and the sessions the plan would revoke. */
    async preview(targets: IncidentTargets): Promise<IncidentPreview> {
      const { incidentDeps, request } = await open(targets);
      return previewIncident(incidentDeps, request);
    },

    async run(targets: IncidentTargets, options: RunOptions = {}): Promise<IncidentRun> {
      const { incidentDeps, request } = await open(targets);
      return runIncident(incidentDeps, request, { ...options, ...(targets.signal === undefined ? {} : { signal: targets.signal }) });
    },

    /** Finishes what a saved incident left undone (failed, cancelled or never started items; sessions not revoked). */
    async resume(reportId: string, options: RunOptions = {}): Promise<IncidentRun> {
      const report = await deps.reports.open(reportId);
      const sessionsLeft = report.sessions !== undefined && report.sessions.status !== 'revoked';
      return resumeIncident(await withSessions(sessionsLeft ? report.sessions?.server : undefined), reportId, options);
    },

    /** Records that a person rotated these by-hand items where they were issued (audited, saved in the report). */
    markRotated: (reportId: string, refs: string[]): Promise<IncidentReport> => markRotatedByHand(base, reportId, refs),

    list: () => deps.reports.list(),
    open: (reportId: string) => deps.reports.open(reportId),
    openText: (reportId: string) => deps.reports.openText(reportId),
    pathsOf: (reportId: string) => deps.reports.pathsOf(reportId),
    /** The deps the command-line output helpers need (report paths). */
    commandDeps: base,
  };
}

export type IncidentService = ReturnType<typeof createIncidentService>;
