import { z } from 'zod';

/** Notifications from main to the renderer. Payloads never carry a value. */
export const events = {
  /** The clipboard held a copied secret and was cleared (timeout, or before quitting). */
  'clipboard.cleared': z.object({ reason: z.enum(['timeout', 'quit']) }),
  /** Progress of a long call started with an operationId (listing, incident rotation, session scans). */
  'operation.progress': z.object({
    operationId: z.string(),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative().optional(),
    /** A short, value-free description of the current step ("Rotating API_KEY", "Scanned 40,000 keys"). */
    message: z.string().max(200).optional(),
  }),
};

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;
export const eventChannel = (name: EventName) => `latchkey-event:${name}`;
