import type { PublicError } from '../../../shared/errors';
import { channelOf } from '../../../shared/ipc/contract';
import type { AppLock } from '../../core/lock';
import type { CallGate } from './router';

/**
 * While the app is locked, only these calls are answered: what the lock screen needs, and the
 * version shown on it. Everything else is refused with the kind 'Locked' before its request is parsed.
 */
export const OPEN_WHILE_LOCKED: ReadonlySet<string> = new Set([
  channelOf('app', 'info'),
  channelOf('lock', 'status'),
  channelOf('lock', 'unlock'),
  channelOf('lock', 'lockNow'),
]);

const LOCKED: PublicError = { kind: 'Locked', message: 'Latchkey is locked. Unlock it to continue.' };

export function lockGate(lock: Pick<AppLock, 'isLocked'>): CallGate {
  return (channel) => (lock.isLocked() && !OPEN_WHILE_LOCKED.has(channel) ? LOCKED : undefined);
}
