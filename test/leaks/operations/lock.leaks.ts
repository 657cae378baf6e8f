import { expect } from 'vitest';
import type { LeakOperation } from '../leak-operation';

/** The app passphrase is a secret too: set, wrong, right, changed, cleared. */
export const operations: LeakOperation[] = [
  {
    name: 'set a passphrase, lock, unlock with a wrong one and the right one, change it, clear it',
    async run(context) {
      const passphrase = context.canary('passphrase');
      const wrong = context.canary('wrong-passphrase');
      const next = context.canary('next-passphrase');
      expect(await context.call('lock.setPassphrase', { passphrase })).toMatchObject({ ok: true });
      expect(await context.call('lock.lockNow', {})).toMatchObject({ ok: true });
      expect(await context.call('lock.unlock', { passphrase: wrong })).toMatchObject({ ok: false, error: { kind: 'Unauthenticated' } });
      expect(await context.call('lock.unlock', { passphrase })).toMatchObject({ ok: true });
      expect(await context.call('lock.setPassphrase', { passphrase: next, current: wrong })).toMatchObject({ ok: false, error: { kind: 'Unauthenticated' } });
      expect(await context.call('lock.setPassphrase', { passphrase: 'short', current: passphrase })).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
      // The third wrong passphrase in a row makes the next attempt wait, the right one included.
      expect(await context.call('lock.clearPassphrase', { current: wrong })).toMatchObject({ ok: false, error: { kind: 'Unauthenticated' } });
      expect(await context.call('lock.clearPassphrase', { current: wrong })).toMatchObject({ ok: false, error: { kind: 'Unauthenticated', retryAfterMs: 5_000 } });
      await context.failing(() => context.core.lock.setPassphrase(next, passphrase));
    },
  },
];
