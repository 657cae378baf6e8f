import { createLogger, type Logger } from '../../electron/core/log';

/** The real logger with a sink that keeps every line, so tests can search them for canary values. */
export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ sink: (line) => lines.push(line), level: 'debug' }), lines };
}
