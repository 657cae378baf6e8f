import type { KeyboardEvent } from 'react';
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
  id,
  controls,
  onKeyDown,
}: {
  environment: EnvironmentView;
  active?: boolean;
  onClick?: () => void;
  tab?: boolean;
  due?: { overdue: number; dueSoon: number } | undefined;
  /** As a tab: its element id, the panel it controls, and the tablist's arrow keys. */
  id?: string;
  controls?: string;
  onKeyDown?: (event: KeyboardEvent<HTMLButtonElement>) => void;
}) {
  const content = (
    <>
      <span className="env-dot" style={{ backgroundColor: environment.colour }} />
      <span className="ellipsis">{environment.name}</span>
      {environment.protected ? <Icon name="lock" size={12} label="protected" /> : null}
      <DueCount due={due} />
    </>
  );
  if (onClick === undefined) return <span className="env-pill" title={environment.name}>{content}</span>;
  return (
    <button
      type="button"
      id={id}
      role={tab ? 'tab' : undefined}
      aria-selected={tab ? active === true : undefined}
      aria-controls={tab ? controls : undefined}
      // Tabs: one stop in the Tab order (the selected tab); the arrow keys move between them.
      tabIndex={tab ? (active === true ? 0 : -1) : undefined}
      aria-current={!tab && active === true ? 'page' : undefined}
      title={environment.name}
      className={`env-pill env-tab${active === true ? ' active' : ''}`}
      onClick={onClick}
      onKeyDown={onKeyDown}
    >
      {content}
    </button>
  );
}
