import type { SecretDescription, SecretSummary } from '../secrets/backend';
import { DEFAULT_PERIOD_DAYS, type RotationPolicy } from './policy';

/**
 * When a secret is due. The age of a secret is the age of its current value (the current version's
 * creation time, or the secret's update time), so a value set by hand restarts the clock as a rotation does.
 */
export type DueStatus = 'overdue' | 'due-soon' | 'ok' | 'unknown';

export interface DueInfo {
  status: DueStatus;
  periodDays: number;
  lastChangedAt?: string;
  dueAt?: string;
  /** Whole days until dueAt; negative when overdue. */
  daysLeft?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Secret's own period, else the environment's default, else 90 days. */
export function effectivePeriodDays(policy: RotationPolicy | undefined, environmentDefaultDays?: number): number {
  return policy?.periodDays ?? environmentDefaultDays ?? DEFAULT_PERIOD_DAYS;
}

/** "Due soon" starts a fifth of the period before the due date, at most 14 days and at least 1 day before. */
export function dueSoonWindowDays(periodDays: number): number {
  return Math.min(14, Math.max(1, Math.floor(periodDays / 5)));
}

export function lastChangedAt(secret: SecretDescription | SecretSummary): Date | undefined {
  const versions = 'versions' in secret ? secret.versions : [];
  const current = versions.find((version) => version.current)?.createdAt;
  for (const candidate of [current, secret.updatedAt, secret.createdAt]) {
    if (candidate === undefined) continue;
    const time = Date.parse(candidate);
    if (!Number.isNaN(time)) return new Date(time);
  }
  return undefined;
}

export function computeDue(input: { lastChangedAt: Date | undefined; periodDays: number; now: Date }): DueInfo {
  const { periodDays, now } = input;
  if (input.lastChangedAt === undefined) return { status: 'unknown', periodDays };
  const dueAt = new Date(input.lastChangedAt.getTime() + periodDays * DAY_MS);
  const msLeft = dueAt.getTime() - now.getTime();
  const daysLeft = Math.floor(msLeft / DAY_MS);
  const status: DueStatus = msLeft <= 0 ? 'overdue' : msLeft <= dueSoonWindowDays(periodDays) * DAY_MS ? 'due-soon' : 'ok';
  return { status, periodDays, lastChangedAt: input.lastChangedAt.toISOString(), dueAt: dueAt.toISOString(), daysLeft };
}

export function isDue(info: DueInfo): boolean {
  return info.status === 'overdue' || info.status === 'due-soon';
}
