import { z } from 'zod';

/** Notifications from main to the renderer. Payloads never carry a value. */
export const events = {
  /** The clipboard held a copied secret and was cleared (timeout, or before quitting). */
  'clipboard.cleared': z.object({ reason: z.enum(['timeout', 'quit']) }),
};

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;
export const eventChannel = (name: EventName) => `latchkey-event:${name}`;
