import type { PublicError } from '../../../shared/errors';
import type { EnvironmentView } from '../environments/environment-view';
import { inspectEnvironments, type InspectDeps, type TargetInfo } from './inspect-targets';
import type { DueStatus } from './schedule';

/**
 * The rotation schedule of some environments: per secret its due status, and per environment the
 * counts for the badge. Secrets rotated by hand are scheduled too — they are due for a person, not for
 * the generator — and `rotate --due` lists them apart instead of generating their values. A secret that
 * could not be read is `unreadable`, with the reason.
 */
export interface DueItem {
  ref: string;
  project: string;
  environment: string;
  key: string;
  status: DueStatus | 'unreadable';
  class: TargetInfo['class'];
  rotatable: boolean;
  error?: PublicError;
  reason?: string;
  policy?: string;
  periodDays?: number;
  lastChangedAt?: string;
  dueAt?: string;
  daysLeft?: number;
}

export interface DueCounts {
  project: string;
  environment: string;
  overdue: number;
  dueSoon: number;
}

export async function listDue(deps: InspectDeps, environments: EnvironmentView[], signal?: AbortSignal): Promise<DueItem[]> {
  const targets = await inspectEnvironments(deps, environments, { ...(signal === undefined ? {} : { signal }) });
  return targets.map((target) => ({
    ref: target.ref,
    project: target.project,
    environment: target.environment,
    key: target.key,
    status: target.due?.status ?? 'unreadable',
    class: target.class,
    rotatable: target.rotatable,
    ...(target.error === undefined ? {} : { error: target.error }),
    ...(target.reason === undefined ? {} : { reason: target.reason }),
    ...(target.policyText === undefined ? {} : { policy: target.policyText }),
    ...(target.due === undefined
      ? {}
      : {
          periodDays: target.due.periodDays,
          ...(target.due.lastChangedAt === undefined ? {} : { lastChangedAt: target.due.lastChangedAt }),
          ...(target.due.dueAt === undefined ? {} : { dueAt: target.due.dueAt }),
          ...(target.due.daysLeft === undefined ? {} : { daysLeft: target.due.daysLeft }),
        }),
  }));
}

export function isDueItem(item: DueItem): boolean {
  return item.status === 'overdue' || item.status === 'due-soon';
}

export function countDue(items: DueItem[]): DueCounts[] {
  const byEnvironment = new Map<string, DueCounts>();
  for (const item of items) {
    const id = `${item.project}/${item.environment}`;
    const counts = byEnvironment.get(id) ?? { project: item.project, environment: item.environment, overdue: 0, dueSoon: 0 };
    if (item.status === 'overdue') counts.overdue += 1;
    if (item.status === 'due-soon') counts.dueSoon += 1;
    byEnvironment.set(id, counts);
  }
  return [...byEnvironment.values()];
}
