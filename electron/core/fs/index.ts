/** Private files, locks and bounded reads (docs/ARCHITECTURE.md, "Core areas"): what main and the CLI use. Everything else in this folder is internal to core. */
export { readBoundedStream, type ReadLimit } from './bounded-read';
export { readBoundedText, readBoundedTextStream } from './read-bounded-text';
