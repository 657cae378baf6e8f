import { describe, expect, it } from 'vitest';
import { errorKinds, type ErrorKind } from '../../../shared/errors';
import { EXIT, exitCodeFor, exitCodeForAll } from '../../../electron/cli/exit-codes';

const failure = (kind: ErrorKind) => ({ kind, message: `${kind} happened` });

describe('exit codes: one mapping per error kind', () => {
  it('maps each kind once: not found / invalid 3, confirmation required 2, everything else 1', () => {
    const byKind = Object.fromEntries(errorKinds.map((kind) => [kind, exitCodeFor(kind)]));
    expect(byKind).toEqual(
      Object.fromEntries(errorKinds.map((kind) => [kind, kind === 'NotFound' || kind === 'InvalidInput' ? 3 : kind === 'ConfirmationRequired' ? 2 : 1])),
    );
    expect(EXIT).toEqual({ ok: 0, failure: 1, usage: 2, notFoundOrInvalid: 3 });
  });

  it('a many-item command exits 0 with no failures, 3 when every failure maps to 3, 1 otherwise', () => {
    expect(exitCodeForAll([])).toBe(0);
    expect(exitCodeForAll([undefined, undefined])).toBe(0);
    expect(exitCodeForAll([undefined, failure('NotFound'), failure('InvalidInput')])).toBe(3);
    expect(exitCodeForAll([failure('NotFound'), failure('BackendUnavailable')])).toBe(1);
    // A per-item refusal that would exit 2 on its own is a failure among others, not a usage error.
    expect(exitCodeForAll([failure('ConfirmationRequired')])).toBe(1);
    expect(exitCodeForAll([failure('NotFound'), failure('ConfirmationRequired')])).toBe(1);
    for (const kind of errorKinds) {
      expect(exitCodeForAll([undefined, failure(kind)])).toBe(exitCodeFor(kind) === 3 ? 3 : 1);
    }
  });
});
