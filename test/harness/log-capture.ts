import { createLogger, type Logger } from '../../electron/core/log';

/** The real logger at debug level, writing into an array the test can search (canary checks). */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ sink: (line) => lines.push(line), level: 'debug' }), lines };
}
