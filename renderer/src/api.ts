import { createClient } from './client';

/**
 * The renderer's only way to main: `api.<area>.<call>(request)` resolves with the result or throws a
 * CallError (kind and message; never a value). Nothing else in the renderer touches `window.latchkey`.
 */
export const api = createClient(window.latchkey);

export { CallError, fieldOf, messageOf } from './client';
