import type { CheckStepView, ServiceView } from '../../../../shared/ipc/services.contract';
import { api } from '../../api';
import { CheckSteps } from '../../components/StepList';
import { TestDialog, useTestRun } from '../../components/TestDialog';

/**
 * Test a service on its own: reachable, and its admin credential accepted. Changes nothing. (A secret's
 * rotator is tested from its rotation policy, with the credential it holds.)
 */
export function TestServiceDialog({ service, onClose }: { service: ServiceView; onClose(): void }) {
  const test = useTestRun(async () => (await api.services.test({ name: service.name })).steps);
  const steps: CheckStepView[] | undefined = test.result;
  return (
    <TestDialog title={`Test ${service.name}`} onClose={onClose} running={test.running} ran={steps !== undefined} error={test.error} onRun={() => void test.run()}>
      <p className="muted">
        <span className="mono">{service.location}</span> — reach it and log in with the stored admin credential. Nothing is changed.
      </p>
      {steps === undefined ? null : <CheckSteps steps={steps} busy={test.running} label="Test steps" />}
    </TestDialog>
  );
}
