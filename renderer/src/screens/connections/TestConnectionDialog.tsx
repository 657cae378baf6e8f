import { useState } from 'react';
import type { ConnectionTestReportView, ConnectionView } from '../../../../shared/ipc/connections.contract';
import { api } from '../../api';
import { StepRow } from '../../components/StepList';
import { TestDialog, useTestRun } from '../../components/TestDialog';
import { PREFIX_HINTS } from './connection-form';

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
  const test = useTestRun(async () => (await api.connections.test({ name: connection.name, write, ...(prefix === '' ? {} : { prefix }) })).report);
  const report: ConnectionTestReportView | undefined = test.result;

  const hint = PREFIX_HINTS[connection.kind];
  return (
    <TestDialog title={`Test ${connection.name}`} onClose={onClose} running={test.running} ran={report !== undefined} error={test.error} onRun={() => void test.run()}>
      <p className="muted">{report?.location ?? connection.location}</p>
      <label className="field">
        <span>Where to look (optional prefix)</span>
        <input className="mono" value={prefix} placeholder={hint.placeholder} spellCheck={false} onChange={(event) => setPrefix(event.target.value)} />
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={write} onChange={(event) => setWrite(event.target.checked)} />
        <span>Also test writing: a probe secret is written there, read back and deleted</span>
      </label>
      <ol className="steps" aria-label="Test steps" aria-busy={test.running}>
        {STEPS.map((step) => (
          <StepRow key={step.key} label={step.label} check={report?.[step.key]} />
        ))}
      </ol>
    </TestDialog>
  );
}
