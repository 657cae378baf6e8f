import { useState } from 'react';
import type { ConnectionTestReportView, ConnectionView } from '../../../../shared/ipc/connections.contract';
import { api, messageOf } from '../../api';
import { Dialog } from '../../components/Dialog';
import { StepRow } from '../../components/StepList';
import { PREFIX_HINTS } from './connection-form';
import { FormError } from '../../components/FormError';

const STEPS: { key: 'reachable' | 'authenticated' | 'canList' | 'canWrite'; label: string }[] = [
  { key: 'reachable', label: 'Reachable' },
  { key: 'authenticated', label: 'Authenticated' },
  { key: 'canList', label: 'Can list' },
  { key: 'canWrite', label: 'Can write' },
];

/**
 * Test connection: reachable, authenticated, can list — and can write only when the person ticks it
 * (a probe secret is written, read back and deleted). Nothing else is written.
 */
export function TestConnectionDialog({ connection, onClose }: { connection: ConnectionView; onClose(): void }) {
  const [write, setWrite] = useState(false);
  const [prefix, setPrefix] = useState(connection.environments[0]?.prefix ?? '');
  const [report, setReport] = useState<ConnectionTestReportView | undefined>(undefined);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  const run = async () => {
    setRunning(true);
    setError(undefined);
    setReport(undefined);
    try {
      const result = await api.connections.test({ name: connection.name, write, ...(prefix === '' ? {} : { prefix }) });
      setReport(result.report);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setRunning(false);
    }
  };

  const hint = PREFIX_HINTS[connection.kind];
  return (
    <Dialog
      title={`Test ${connection.name}`}
      onClose={onClose}
      width="wide"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
          <button type="button" className="btn btn-primary" disabled={running} onClick={() => void run()}>
            {running ? 'Testing…' : report === undefined ? 'Run test' : 'Run again'}
          </button>
        </>
      }
    >
      <p className="muted">{report?.location ?? connection.location}</p>
      <label className="field">
        <span>Where to look (optional prefix)</span>
        <input className="mono" value={prefix} placeholder={hint.placeholder} spellCheck={false} onChange={(event) => setPrefix(event.target.value)} />
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={write} onChange={(event) => setWrite(event.target.checked)} />
        <span>Also test writing: a probe secret is written there, read back and deleted</span>
      </label>
      <ol className="steps" aria-label="Test steps" aria-busy={running}>
        {STEPS.map((step) => (
          <StepRow key={step.key} label={step.label} check={report?.[step.key]} />
        ))}
      </ol>
      <FormError error={error} />
    </Dialog>
  );
}
