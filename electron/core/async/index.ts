/** Bounded concurrency and cancellation helpers (docs/ARCHITECTURE.md, "Core areas"): what main and the CLI use. */
export { runBounded } from './bounded-pool';
export { Slots } from './slots';
