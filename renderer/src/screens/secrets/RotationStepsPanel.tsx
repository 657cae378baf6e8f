import type { ServiceRotationStepName } from '../../../../shared/rotation';
import { Icon } from '../../components/Icon';
import { fullTime } from '../../format';
import type { LiveRotation, RotationStepEvent } from './useRotationSteps';

/** The four steps every rotation at a service goes through, in order; what became of the old credential follows. */
const LIFECYCLE: ServiceRotationStepName[] = ['created', 'set', 'tested', 'stored'];

function labelOf(step: ServiceRotationStepName, service: string, at?: string): string {
  switch (step) {
    case 'created':
      return 'Created the new value (staged, not current yet)';
    case 'set':
      return `Set at ${service}`;
    case 'tested':
      return 'Tested: the new value logs in';
    case 'stored':
      return 'Stored: the new version is current';
    case 'retired':
      return 'Old credential retired';
    case 'old-refused':
      return 'Old credential tried again: refused';
    case 'retire-scheduled':
      return `Old credential keeps working until ${at === undefined ? 'its grace period ends' : fullTime(at)}`;
    case 'undone':
      return `Undone at ${service}: the old credential works again`;
  }
}

function Row({ label, state, detail }: { label: string; state: 'passed' | 'failed' | 'pending' | 'running'; detail?: string }) {
  return (
    <li className={`step step-${state}`} data-step-state={state}>
      <span className="step-mark" aria-hidden="true">
        {state === 'passed' ? <Icon name="check" /> : state === 'failed' ? <Icon name="close" /> : <span className="step-dash">–</span>}
      </span>
      <span className="step-label">
        {label}
        <span className="visually-hidden">: {state === 'pending' ? 'not yet' : state}</span>
      </span>
      {detail === undefined ? null : <span className="step-detail step-error">{detail}</span>}
    </li>
  );
}

/**
 * A rotation at a service, live: each lifecycle step as main reports it, then the result (new version,
 * where it changed, what became of the old credential) or the failure, whose message from main says
 * which state the service and the store are in and what to do.
 */
export function RotationStepsPanel({ live, onClose }: { live: LiveRotation; onClose(): void }) {
  const reached = new Map<ServiceRotationStepName, RotationStepEvent>(live.steps.map((step) => [step.step, step]));
  const done = live.result !== undefined || live.error !== undefined;
  const firstMissing = LIFECYCLE.find((step) => !reached.has(step));
  const afterwards = live.steps.filter((step) => !LIFECYCLE.includes(step.step));
  const result = live.result;
  const oldRetired = result?.oldRetired;
  return (
    <section className={`rotation-panel${live.error === undefined ? '' : ' failed'}`} aria-label={`Rotation of ${live.key} at ${live.service}`}>
      <header className="rotation-panel-header">
        <Icon name="rotate" />
        <strong>
          {done ? (live.error === undefined ? 'Rotated' : 'Rotation failed:') : 'Rotating'} {live.key} at {live.service}
        </strong>
        <span className="spacer" />
        {done ? (
          <button type="button" className="icon-btn" aria-label="Close the rotation steps" onClick={onClose}>
            <Icon name="close" />
          </button>
        ) : null}
      </header>
      <ol className="steps" aria-label="Rotation steps" aria-live="polite" aria-busy={!done}>
        {LIFECYCLE.map((step) => (
          <Row
            key={step}
            label={labelOf(step, live.service)}
            state={reached.has(step) ? 'passed' : step !== firstMissing ? 'pending' : live.error !== undefined ? 'failed' : done ? 'pending' : 'running'}
          />
        ))}
        {afterwards.map((step) => (
          <Row key={step.step} label={labelOf(step.step, live.service, step.at)} state="passed" />
        ))}
      </ol>
      {live.error === undefined ? null : (
        <p className="form-error" role="alert">
          {live.error}
        </p>
      )}
      {result === undefined ? null : (
        <p className="rotation-result" role="status">
          {result.rotated === false
            ? `${live.key} was left unchanged. ${result.rule?.reason ?? ''}`
            : `${live.key} is now version ${result.version ?? '?'}, changed at ${result.changedAt ?? live.service}; the old credential ${
                oldRetired === true ? `is retired${result.oldRefused === true ? ' and was refused when tried again' : ''}` : typeof oldRetired === 'string' ? `is retired at ${fullTime(oldRetired)}` : 'is still valid'
              }.`}
        </p>
      )}
    </section>
  );
}
