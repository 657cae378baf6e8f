import type { EnvironmentView } from '../../../shared/ipc/projects.contract';
import { Icon } from './Icon';

/** An environment's name in its colour, with a lock when it is protected. */
export function EnvironmentPill({ environment, active, onClick, tab = true }: { environment: EnvironmentView; active?: boolean; onClick?: () => void; tab?: boolean }) {
  const content = (
    <>
      <span className="env-dot" style={{ backgroundColor: environment.colour }} />
      <span>{environment.name}</span>
      {environment.protected ? <Icon name="lock" size={12} label="protected" /> : null}
    </>
  );
  if (onClick === undefined) return <span className="env-pill">{content}</span>;
  return (
    <button
      type="button"
      role={tab ? 'tab' : undefined}
      aria-selected={tab ? active === true : undefined}
      aria-current={!tab && active === true ? 'page' : undefined}
      className={`env-pill env-tab${active === true ? ' active' : ''}`} onClick={onClick}>
      {content}
    </button>
  );
}
