import { z } from 'zod';
import { call } from './entry';
import { operationId } from './fields';

/**
 * Long calls (listing a large backend, incident rotation, scanning sessions) take an `operationId`
 * chosen by the renderer; main reports their progress as `operation.progress` events and cancels them
 * here. Cancelling an operation that already ended is not an error.
 */
export const operationsContract = {
  cancel: call(z.strictObject({ operationId }), z.object({ cancelled: z.boolean() })),
};
