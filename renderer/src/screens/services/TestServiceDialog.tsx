import { useState } from 'react';
import type { CheckStepView, ServiceView } from '../../../../shared/ipc/services.contract';
import { api, messageOf } from '../../api';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/FormError';
import { CheckSteps } from '../../components/StepList';

/**
 * Test a service on its own: reachable, and its admin credential accepted. Changes nothing. (A secret's
 * rotator is tested from its rotation policy, with the credential it holds.)
 */
export function TestServiceDialog({ service, onClose }: { service: ServiceView; onClose(): void }) {
  const [steps, setSteps] = useState<CheckStepView[] | undefined>(undefined);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  const run = async () => {
    setRunning(true);
    setError(undefined);
    try {
      setSteps((await api.services.test({ name: service.name })).steps);
    } catch (caught) {
      setSteps(undefined);
      setError(messageOf(caught));
    } finally {
      setRunning(false);
    }
  };

  return (
    <Dialog
      title={`Test ${service.name}`}
      onClose={onClose}
      width="wide"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
          <button type="button" className="btn btn-primary" disabled={running} onClick={() => void run()}>
            {running ? 'Testing…' : steps === undefined ? 'Run test' : 'Run again'}
          </button>
        </>
      }
    >
      <p className="muted">
        <span className="mono">{service.location}</span> — reach it and log in with the stored admin credential. Nothing is changed.
      </p>
      {steps === undefined ? null : <CheckSteps steps={steps} busy={running} label="Test steps" />}
      <FormError error={error} />
    </Dialog>
  );
}
