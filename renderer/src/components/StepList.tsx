import type { CheckStepView } from '../../../shared/ipc/services.contract';
import { Icon } from './Icon';

/** One checked step: its outcome mark, its name, what was checked, and the error that stopped it. */
export interface StepCheck {
  outcome: 'passed' | 'failed' | 'skipped';
  detail: string;
  error?: { message: string } | undefined;
}

export function StepRow({ label, check }: { label: string; check: StepCheck | undefined }) {
  const outcome = check?.outcome ?? 'pending';
  return (
    <li className={`step step-${outcome}`} data-step={label}>
      <span className="step-mark" aria-hidden="true">
        {outcome === 'passed' ? <Icon name="check" /> : outcome === 'failed' ? <Icon name="close" /> : <span className="step-dash">–</span>}
      </span>
      <span className="step-label">
        {label}
        <span className="visually-hidden">: {outcome === 'pending' ? 'not run yet' : outcome}</span>
      </span>
      <span className="step-detail">
        {check === undefined ? <span className="muted">Not run yet</span> : check.detail}
        {check?.error === undefined ? null : (
          <span className="step-error" role="alert">
            {check.error.message}
          </span>
        )}
      </span>
    </li>
  );
}

/** The steps of a dry run (Test of a service or a rotator), as main answered them. */
export function CheckSteps({ steps, busy, label }: { steps: CheckStepView[]; busy: boolean; label: string }) {
  return (
    <ol className="steps" aria-label={label} aria-busy={busy}>
      {steps.map((step) => (
        <StepRow key={step.name} label={step.name} check={step} />
      ))}
    </ol>
  );
}
