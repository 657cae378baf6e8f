import { useEffect, useState } from 'react';
import type { ResultOf } from '../../../../shared/ipc/contract';
import type { EventPayload } from '../../../../shared/ipc/events';
import { api, messageOf } from '../../api';
import { Icon } from '../../components/Icon';
import { plural } from '../../format';
import { ProgressBar } from '../../components/ProgressBar';
import { useOperation } from '../../operations';
import { useCurrent, useProjects } from '../../stores/projects.store';
import { useSchedule } from '../../stores/schedule.store';
import { useToasts } from '../../stores/toasts.store';
import { IncidentConfirmDialog } from './IncidentConfirmDialog';
import { IncidentItems } from './IncidentItems';
import { IncidentPreview } from './IncidentPreview';
import { IncidentReports } from './IncidentReports';
import { IncidentTargets, sessionPlanOf, targetId, type SessionChoice } from './IncidentTargets';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IncidentUndoDialog } from '../snapshots/IncidentUndoDialog';

type Preview = ResultOf<'incidents', 'preview'>;
type Run = ResultOf<'incidents', 'run'>;
type Asking = { kind: 'run' } | { kind: 'resume'; reportId: string; protectedNames: string[] } | undefined;

/**
 * Incident mode: choose environments (and sessions), preview every rotatable secret and why others are
 * skipped, confirm (typing protected names), run with a progress bar and live per-secret results, cancel;
 * a partial run is shown plainly with "Finish what is left". Reports are saved and listed.
 */
export function IncidentScreen() {
  const projects = useProjects((state) => state.projects);
  const { project: current } = useCurrent();
  const toast = useToasts((state) => state.show);
  const operation = useOperation();
  const [selected, setSelected] = useState<Set<string>>(() => new Set(current?.environments.filter((environment) => environment.protected).map((environment) => targetId(current.name, environment.name)) ?? []));
  const [sessions, setSessions] = useState<SessionChoice>({ enabled: false, server: '', scope: 'device', id: '' });
  const [preview, setPreview] = useState<Preview | undefined>(undefined);
  const [excluded, setExcluded] = useState<Set<string>>(new Set());
  const [asking, setAsking] = useState<Asking>(undefined);
  const [running, setRunning] = useState<string | undefined>(undefined);
  const [live, setLive] = useState<EventPayload<'incident.item'>[]>([]);
  const [result, setResult] = useState<Run | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [reportsKey, setReportsKey] = useState(0);
  const [undoing, setUndoing] = useState<string | undefined>(undefined);

  useEffect(
    () =>
      api.events.on('incident.item', (item) => {
        if (item.operationId === running) setLive((previous) => [...previous, item]);
      }),
    [running],
  );

  const targets = () =>
    projects.flatMap((project) => project.environments.filter((environment) => selected.has(targetId(project.name, environment.name))).map((environment) => ({ project: project.name, environment: environment.name })));
  const plan = sessionPlanOf(sessions);

  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
    setPreview(undefined);
  };

  const loadPreview = async () => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setPreview(await api.incidents.preview({ environments: targets(), ...(plan === undefined ? {} : { sessions: plan }) }));
      setExcluded(new Set());
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const start = async (run: (operationId: string) => Promise<Run>) => {
    const operationId = operation.start();
    setRunning(operationId);
    setLive([]);
    setError(undefined);
    setResult(undefined);
    try {
      const done = await run(operationId);
      setResult(done);
      const { counts, status } = done.report;
      toast(status === 'completed' ? 'success' : 'error', status === 'completed' ? `Incident complete: ${counts.rotated} rotated.` : `Incident ${status}: ${counts.failed} failed, ${counts.pending + counts.cancelled} not done.`);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setRunning(undefined);
      operation.finish();
      setReportsKey((key) => key + 1);
      const open = useProjects.getState().selectedProject;
      if (open !== undefined) void useSchedule.getState().load(open);
    }
  };

  const answer = (typedNames: string[] | undefined) => {
    const was = asking;
    setAsking(undefined);
    if (typedNames === undefined || was === undefined) return;
    if (was.kind === 'run' && preview !== undefined) {
      void start((operationId) =>
        api.incidents.run({ operationId, environments: targets(), ...(plan === undefined ? {} : { sessions: plan }), exclude: [...excluded], typedNames }),
      );
    }
    if (was.kind === 'resume') void start((operationId) => api.incidents.resume({ operationId, reportId: was.reportId, typedNames }));
  };

  const resume = async (reportId: string) => {
    try {
      const { report } = await api.incidents.open({ reportId });
      setAsking({ kind: 'resume', reportId, protectedNames: report.environments.filter((environment) => environment.protected).map((environment) => environment.name) });
    } catch (caught) {
      toast('error', messageOf(caught));
    }
  };

  // A by-hand item the person rotated where it was issued: recorded (audited) in the report.
  const mark = async (reportId: string, ref: string, key: string) => {
    try {
      const marked = await api.incidents.markRotated({ reportId, refs: [ref] });
      setResult((current) => (current === undefined || current.report.id !== reportId ? current : { ...current, report: marked.report }));
      toast('success', `Recorded: ${key} was rotated by hand.`);
      setReportsKey((value) => value + 1);
    } catch (caught) {
      toast('error', messageOf(caught));
    }
  };

  const toRotate = preview === undefined ? 0 : preview.items.filter((item) => item.rotatable && !excluded.has(item.ref)).length;
  const byHandCount = preview === undefined ? 0 : preview.items.filter((item) => item.class === 'by-hand').length;
  const report = result?.report;
  const left = report === undefined ? 0 : report.counts.failed + report.counts.pending + report.counts.cancelled + (report.sessions !== undefined && report.sessions.status !== 'revoked' ? 1 : 0);

  return (
    <section className="screen incident" aria-label="Incident">
      <header className="screen-header">
        <h1>
          <Icon name="alert" size={18} /> Incident
        </h1>
        <p className="muted">Rotate every rotatable secret of the environments that may be exposed, and cut off their sessions. Every step is audited and reported.</p>
      </header>
      <div className="incident-layout">
        <div className="incident-main">
          <IncidentTargets projects={projects} selected={selected} onToggle={toggle} sessions={sessions} onSessions={(choice) => {
              setSessions(choice);
              setPreview(undefined);
            }} disabled={running !== undefined} />
          <div className="toolbar">
            <button type="button" className="btn" disabled={busy || running !== undefined || selected.size === 0} onClick={() => void loadPreview()}>
              Preview
            </button>
            {preview === undefined || report !== undefined ? null : (
              <button type="button" className="btn btn-danger" disabled={running !== undefined || (toRotate === 0 && preview.sessions === undefined)} onClick={() => setAsking({ kind: 'run' })}>
                <Icon name="rotate" /> Rotate {toRotate} secret{toRotate === 1 ? '' : 's'}
                {preview.sessions === undefined ? '' : ` and revoke ${preview.sessions.count} session${preview.sessions.count === 1 ? '' : 's'}`}
              </button>
            )}
          </div>
          <ErrorBanner error={error} />
          {running === undefined ? null : (
            <>
              <ProgressBar progress={operation.progress} label="Rotating secrets" onCancel={() => void operation.cancel()} />
              <IncidentItems items={live.map((item) => ({ ref: item.ref, project: item.project, environment: item.environment, key: item.key, status: item.status, version: item.version, changed_at: item.changedAt, old_refused: item.oldRefused, error: item.message === undefined ? undefined : { kind: 'Internal', message: item.message } }))} label="Finished so far" />
            </>
          )}
          {report === undefined ? null : (
            <section className={`card incident-result result-${report.status}`} aria-label="Incident result">
              <div className="result-head">
                <span className={`pill pill-${report.status}`}>{report.status}</span>
                <strong>
                  {report.counts.rotated} rotated, {report.counts.failed} failed, {report.counts.skipped} skipped{left > 0 ? `, ${report.counts.pending + report.counts.cancelled} not done` : ''}
                  {(report.counts.by_hand ?? 0) === 0 ? '' : `, ${report.counts.by_hand ?? 0} to rotate by hand (${report.counts.marked ?? 0} marked done)`}
                </strong>
                <span className="spacer" />
                {report.counts.rotated > 0 ? (
                  <button type="button" className="btn" title="Put back the values from before the incident, for secrets that were stored only" onClick={() => setUndoing(report.id)}>
                    <Icon name="undo" /> Undo…
                  </button>
                ) : null}
                {left > 0 ? (
                  <button type="button" className="btn btn-primary" onClick={() => void resume(report.id)}>
                    Finish what is left
                  </button>
                ) : null}
              </div>
              {report.status === 'partial' ? <p className="result-note">Some secrets were not rotated. Each failure below says which value is current; the ones that failed kept their old value unless it says otherwise.</p> : null}
              {report.sessions === undefined ? null : (
                <p>
                  Sessions on {report.sessions.server ?? 'Redis'}: {report.sessions.status === 'revoked' ? `${report.sessions.revoked ?? 0} revoked` : `${report.sessions.status}${report.sessions.error === undefined ? '' : ` — ${report.sessions.error.message}`}`}
                </p>
              )}
              {result?.warnings.map((warning) => (
                <p key={warning} className="hint warn">
                  {warning}
                </p>
              ))}
              <IncidentItems items={report.items} label="Results" onMark={(item) => void mark(report.id, item.ref, item.key)} />
              <p className="muted small">Report {report.id} is saved; open it any time from Saved reports.</p>
            </section>
          )}
          {preview === undefined || running !== undefined || report !== undefined ? null : (
            <IncidentPreview
              preview={preview}
              excluded={excluded}
              onToggle={(ref) => {
                const next = new Set(excluded);
                if (next.has(ref)) next.delete(ref);
                else next.add(ref);
                setExcluded(next);
              }}
            />
          )}
        </div>
        <IncidentReports refreshKey={reportsKey} onResume={(reportId) => void resume(reportId)} onUndo={setUndoing} disabled={running !== undefined} />
      </div>
      {undoing === undefined ? null : (
        <IncidentUndoDialog
          reportId={undoing}
          onDone={() => {
            setUndoing(undefined);
            setReportsKey((key) => key + 1);
          }}
        />
      )}
      {asking === undefined ? null : (
        <IncidentConfirmDialog
          title={asking.kind === 'run' ? 'Start the incident rotation?' : 'Finish what is left?'}
          summary={
            asking.kind === 'run'
              ? `${plural(toRotate, 'secret')} ${toRotate === 1 ? 'gets a new value' : 'get new values'} now${preview?.sessions === undefined ? '' : `, and ${plural(preview.sessions.count, 'session')} ${preview.sessions.count === 1 ? 'is' : 'are'} revoked`}. Applications using the old values must pick up the new ones.` +
                (byHandCount === 0 ? '' : ` ${byHandCount} more ${byHandCount === 1 ? 'is' : 'are'} yours to rotate by hand; Latchkey will not change ${byHandCount === 1 ? 'it' : 'them'}.`)
              : `Only what the report ${asking.reportId} left undone is rotated (failed, cancelled or not started).`
          }
          protectedNames={asking.kind === 'run' ? (preview?.typeToConfirm ?? []) : asking.protectedNames}
          confirmLabel={asking.kind === 'run' ? 'Rotate now' : 'Finish'}
          onAnswer={answer}
        />
      )}
    </section>
  );
}
