import { z } from 'zod';
import { lockReasons, MAX_IDLE_MINUTES, MAX_PASSPHRASE_LENGTH, MIN_IDLE_MINUTES, MIN_PASSPHRASE_LENGTH } from '../lock';
import { call } from './entry';
import { empty } from './fields';

/**
 * The app's lock. While locked, main answers every other call with the error kind 'Locked'; these
 * calls (and app.info) stay open so the lock screen can work.
 */
/** The passphrase travels only renderer → main, never back; its length is checked again in core. */
const passphrase = z.string().min(1).max(MAX_PASSPHRASE_LENGTH);
const newPassphrase = z.string().min(MIN_PASSPHRASE_LENGTH, `use at least ${MIN_PASSPHRASE_LENGTH} characters`).max(MAX_PASSPHRASE_LENGTH);

export const lockStatus = z.object({
  locked: z.boolean(),
  reason: z.enum(lockReasons).optional(),
  /** How to unlock: the app passphrase when one is set, otherwise the OS keychain. */
  method: z.enum(['keychain', 'passphrase']),
  idleTimeoutMinutes: z.number().int().min(MIN_IDLE_MINUTES).max(MAX_IDLE_MINUTES),
});

export const lockContract = {
  status: call(empty, lockStatus),
  unlock: call(z.strictObject({ passphrase: passphrase.optional() }), empty),
  lockNow: call(empty, empty),
  setIdleTimeout: call(z.strictObject({ minutes: z.number().int().min(MIN_IDLE_MINUTES).max(MAX_IDLE_MINUTES) }), empty),
  setPassphrase: call(z.strictObject({ passphrase: newPassphrase, current: passphrase.optional() }), empty),
  clearPassphrase: call(z.strictObject({ current: passphrase }), empty),
};

export type LockStatusView = z.infer<typeof lockStatus>;
