import { describe, expect, it } from 'vitest';
import { invalidInput } from '../../../electron/core/errors';
import { createLogger, REDACTED } from '../../../electron/core/log';

const CANARY = 'canary-log-a41f';

describe('redacting logger', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, logger: createLogger({ sink: (line) => lines.push(line), level: 'debug' }) };
  };

  it('replaces fields whose name says they hold a secret, at any depth', () => {
    const { lines, logger } = capture();
    logger.info('stored', { key: 'API_KEY', value: CANARY, nested: { token: CANARY, list: [{ password: CANARY }] }, dataKey: CANARY, session_token: CANARY });
    expect(lines.join('\n')).not.toContain(CANARY);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ message: 'stored', key: 'API_KEY', value: REDACTED, nested: { token: REDACTED, list: [{ password: REDACTED }] } });
  });

  it('keeps our own error messages but never a foreign error message (it may quote input)', () => {
    const { lines, logger } = capture();
    let parseError: unknown;
    try {
      JSON.parse(`{"x": ${CANARY}`);
    } catch (error) {
      parseError = error;
    }
    logger.error('failed', { error: parseError, ours: invalidInput('Key "X" is not allowed.') });
    const text = lines.join('\n');
    expect(text).not.toContain(CANARY);
    expect(text).toContain('SyntaxError');
    expect(text).toContain('Key \\"X\\" is not allowed.');
  });

  it('drops records below its level and carries child fields', () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (line) => lines.push(line), level: 'warn' }).child({ component: 'store' });
    logger.info('quiet');
    logger.warn('loud');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', message: 'loud', component: 'store' });
  });
});
