import type { DueItem } from '../../../shared/ipc/rotation.contract';

/** Rotation schedule marks: a secret's badge (overdue / due soon) and an environment's counts. */
export function DueBadge({ item }: { item: Pick<DueItem, 'status' | 'daysLeft' | 'dueAt'> | undefined }) {
  if (item === undefined || (item.status !== 'overdue' && item.status !== 'due-soon')) return null;
  const days = item.daysLeft ?? 0;
  const title = item.status === 'overdue' ? `Rotation overdue${days < 0 ? ` by ${-days} day${days === -1 ? '' : 's'}` : ''}` : `Rotation due in ${days} day${days === 1 ? '' : 's'}`;
  return (
    <span className={`pill pill-${item.status}`} title={title}>
      {item.status === 'overdue' ? 'overdue' : 'due soon'}
    </span>
  );
}

export function DueCount({ due }: { due: { overdue: number; dueSoon: number } | undefined }) {
  if (due === undefined || due.overdue + due.dueSoon === 0) return null;
  const label = `${due.overdue} overdue, ${due.dueSoon} due soon`;
  return (
    <span className={`due-count ${due.overdue > 0 ? 'pill-overdue' : 'pill-due-soon'}`} title={label} aria-label={label}>
      {due.overdue + due.dueSoon}
    </span>
  );
}
