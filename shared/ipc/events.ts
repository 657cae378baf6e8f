import { z } from 'zod';
import { lockReasons } from '../lock';
import { serviceRotationSteps } from '../rotation';

/** Notifications from main to the renderer. Payloads never carry a value. */
export const events = {
  /** Progress of a long call started with an operationId (listing, incident rotation, session scans). */
  'operation.progress': z.object({
    operationId: z.string(),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative().optional(),
    /** A short, value-free description of the current step ("Rotating API_KEY", "Scanned 40,000 keys"). */
    message: z.string().max(200).optional(),
  }),
  /** The clipboard held a copied secret and was cleared (timeout, the app locked, or before quitting). */
  'clipboard.cleared': z.object({ reason: z.enum(['timeout', 'lock', 'quit']) }),
  /** One secret of a running incident finished (the Incident screen's per-item results, live). */
  'incident.item': z.object({
    operationId: z.string(),
    ref: z.string().max(1024),
    project: z.string().max(64),
    environment: z.string().max(64),
    key: z.string().max(200),
    status: z.enum(['rotated', 'failed', 'cancelled', 'by-hand']),
    version: z.string().max(200).optional(),
    /** Why it failed, written for people (never a value). */
    message: z.string().max(1000).optional(),
    /** The service its rotator changed the credential at; absent on a rotated item: the stored copy only. */
    changedAt: z.string().max(200).optional(),
    /** After it was retired, the old credential was tried once more and refused. */
    oldRefused: z.boolean().optional(),
  }),
  /** One step of a rotation at a service (rotation.rotate with an operationId), as it completes. */
  'rotation.step': z.object({
    operationId: z.string(),
    key: z.string().max(200),
    step: z.enum(serviceRotationSteps),
    /** The service's name; never a credential. */
    service: z.string().max(200),
    /** retire-scheduled: when the old credential is retired. */
    at: z.string().max(64).optional(),
  }),
  /** The app locked (hide every value, show the lock screen) or was unlocked. */
  'lock.changed': z.object({ locked: z.boolean(), reason: z.enum(lockReasons).optional() }),
  /** Rows found so far by a session search (resultId = its operationId): the table grows while it runs. */
  'sessions.results': z.object({ resultId: z.string(), found: z.number().int().nonnegative(), complete: z.boolean() }),
};

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;
export const eventChannel = (name: EventName) => `latchkey-event:${name}`;
