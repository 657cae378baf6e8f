import type { EnvironmentView } from '../../../shared/ipc/projects.contract';
import { DueCount } from './DueBadge';
import { Icon } from './Icon';

/** An environment's name in its colour, with a lock when it is protected and how many of its secrets are due. */
export function EnvironmentPill({
  environment,
  active,
  onClick,
  tab = true,
  due,
}: {
  environment: EnvironmentView;
  active?: boolean;
  onClick?: () => void;
  tab?: boolean;
  due?: { overdue: number; dueSoon: number } | undefined;
}) {
  const content = (
    <>
      <span className="env-dot" style={{ backgroundColor: environment.colour }} />
      <span>{environment.name}</span>
      {environment.protected ? <Icon name="lock" size={12} label="protected" /> : null}
      <DueCount due={due} />
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
