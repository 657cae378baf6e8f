import { useEffect, useState } from 'react';
import type { ResultOf } from '../../../../shared/ipc/contract';
import { api, messageOf } from '../../api';
import { Dialog } from '../../components/Dialog';
import { fullTime, timeAgo } from '../../format';
import { IncidentItems } from './IncidentItems';

type Summary = ResultOf<'incidents', 'list'>['reports'][number];

/** Saved incident reports, newest first; each opens as its readable text and its per-secret table. */
export function IncidentReports(props: { refreshKey: number; onResume(reportId: string): void; onUndo(reportId: string): void; disabled: boolean }) {
  const [reports, setReports] = useState<Summary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [opened, setOpened] = useState<ResultOf<'incidents', 'open'> | undefined>(undefined);
  const [view, setView] = useState<'table' | 'text'>('table');

  useEffect(() => {
    api.incidents.list({})
      .then((answer) => setReports(answer.reports))
      .catch((caught: unknown) => setError(messageOf(caught)));
  }, [props.refreshKey]);

  const open = async (id: string) => {
    try {
      setOpened(await api.incidents.open({ reportId: id }));
    } catch (caught) {
      setError(messageOf(caught));
    }
  };

  // Marking a by-hand item done from a saved report: audited, saved, and the report shown again.
  const mark = async (id: string, ref: string) => {
    try {
      await api.incidents.markRotated({ reportId: id, refs: [ref] });
      setOpened(await api.incidents.open({ reportId: id }));
    } catch (caught) {
      setError(messageOf(caught));
    }
  };

  return (
    <div className="card incident-reports">
      <h2>Saved reports</h2>
      {error === undefined ? null : <p className="form-error">{error}</p>}
      {reports !== undefined && reports.length === 0 ? <p className="muted">No incident has run yet.</p> : null}
      <ul className="report-list">
        {(reports ?? []).map((report) => (
          <li key={report.id}>
            <button type="button" className="report-link" onClick={() => void open(report.id)}>
              <span className="visually-hidden">Open report {report.id}: </span>
              <span className={`pill pill-${report.status}`}>{report.status}</span>
              <span className="report-where">{report.environments.map((environment) => `${environment.project}/${environment.name}`).join(', ')}</span>
              <span className="muted" title={fullTime(report.created_at)}>
                {timeAgo(report.created_at)} · {report.counts.rotated} rotated{report.counts.failed === 0 ? '' : `, ${report.counts.failed} failed`}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {opened === undefined ? null : (
        <Dialog
          title={`Incident ${opened.report.id}`}
          onClose={() => setOpened(undefined)}
          width="wide"
          footer={
            <>
              {opened.report.status === 'completed' ? null : (
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={props.disabled}
                  onClick={() => {
                    setOpened(undefined);
                    props.onResume(opened.report.id);
                  }}
                >
                  Finish what is left
                </button>
              )}
              {opened.report.counts.rotated === 0 ? null : (
                <button
                  type="button"
                  className="btn"
                  disabled={props.disabled}
                  onClick={() => {
                    setOpened(undefined);
                    props.onUndo(opened.report.id);
                  }}
                >
                  Undo…
                </button>
              )}
              <span className="spacer" />
              <button type="button" className="btn" onClick={() => setOpened(undefined)}>
                Close
              </button>
            </>
          }
        >
          <div className="segmented" role="radiogroup" aria-label="Report view">
            <button type="button" role="radio" aria-checked={view === 'table'} className={view === 'table' ? 'active' : undefined} onClick={() => setView('table')}>
              Secrets
            </button>
            <button type="button" role="radio" aria-checked={view === 'text'} className={view === 'text' ? 'active' : undefined} onClick={() => setView('text')}>
              Readable report
            </button>
          </div>
          {view === 'text' ? <pre className="report-text">{opened.text}</pre> : <IncidentItems items={opened.report.items} label="Secrets of the report" onMark={(item) => void mark(opened.report.id, item.ref)} />}
          <p className="muted small">
            Saved as <span className="mono">{opened.paths.text}</span> and <span className="mono">{opened.paths.json}</span>
          </p>
        </Dialog>
      )}
    </div>
  );
}
