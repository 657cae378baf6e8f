import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../electron/core/audit/entry';
import { auditedChange, auditedRead, auditRef } from '../../../electron/core/audit/audited';
import { createLogger } from '../../../electron/core/log';

const logger = createLogger({ sink: () => undefined });
const brokenAudit = { append: async () => Promise.reject(new Error('disk full')) };

describe('audit policy of single-secret operations', () => {
  it('hands out no value when the read cannot be recorded', async () => {
    let read = false;
    await expect(
      auditedRead(brokenAudit, { action: 'secret.reveal', ref: 'file://p/e/K' }, async () => {
        read = true;
        return 'value';
      }),
    ).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('not handed out') });
    expect(read).toBe(true);
  });

  it('changes nothing when the start of a change cannot be recorded', async () => {
    let changed = false;
    await expect(
      auditedChange(brokenAudit, logger, { action: 'secret.write', ref: 'file://p/e/K' }, async () => {
        changed = true;
      }),
    ).rejects.toMatchObject({ kind: 'BackendUnavailable' });
    expect(changed).toBe(false);
  });

  it('records started then the outcome, with the failure kind', async () => {
    const events: AuditEvent[] = [];
    const audit = { append: async (event: AuditEvent) => void events.push(event) };
    const failure = Object.assign(new Error('x'), {});
    await expect(auditedChange(audit, logger, { action: 'secret.delete', ref: 'file://p/e/K' }, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(events.map((event) => [event.outcome, event.error_kind])).toEqual([
      ['started', undefined],
      ['failed', 'Internal'],
    ]);
  });

  it('encodes references so that any name can be recorded', () => {
    expect(auditRef('keychain://my service/acc\tount')).toBe('keychain://my%20service/acc%09ount');
    expect(auditRef(`vault://${'x'.repeat(600)}`)).toHaveLength(512);
  });
});
