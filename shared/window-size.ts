/**
 * The smallest window Latchkey works in: every screen fits it without horizontal scrolling or clipped
 * controls (test/e2e/screens.e2e.test.ts checks each one, light and dark). It leaves room for the
 * sidebar, a secrets list with its actions, and a dialog with its buttons on a 1024 × 768 display.
 */
export const MIN_WINDOW = { width: 960, height: 600 } as const;
