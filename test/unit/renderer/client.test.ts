import { describe, expect, it } from 'vitest';
import type { LatchkeyApi } from '../../../shared/ipc/contract';
import { CallError, createClient, messageOf, reportUncaughtCallErrors } from '../../../renderer/src/client';
import { buildApi } from '../../../electron/preload/api';

/** The renderer's client over the bridge the real preload code builds. */
describe('renderer client over window.latchkey', () => {
  const bridge = (answer: (channel: string, request: unknown) => unknown): LatchkeyApi => buildApi(async (channel, request) => answer(channel, request), () => () => undefined);

  it('resolves with the result of a call that succeeded, sending the request on its channel', async () => {
    const seen: [string, unknown][] = [];
    const api = createClient(
      bridge((channel, request) => {
        seen.push([channel, request]);
        return { ok: true, value: { projects: [] } };
      }),
    );
    await expect(api.projects.list({})).resolves.toEqual({ projects: [] });
    expect(seen).toEqual([['latchkey:projects.list', {}]]);
  });

  it('throws a CallError with the kind, message and retry hint of a failed call', async () => {
    const api = createClient(bridge(() => ({ ok: false, error: { kind: 'Unauthenticated', message: 'Wrong passphrase.', retryAfterMs: 2000 } })));
    const failure = await api.lock.unlock({ passphrase: 'x' }).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(CallError);
    expect(failure).toMatchObject({ kind: 'Unauthenticated', message: 'Wrong passphrase.', retryAfterMs: 2000 });
    expect(messageOf(failure)).toBe('Wrong passphrase.');
    expect(messageOf(new Error('a stack with internals'))).toBe('Something went wrong. Try again.');
  });

  it('has every call of the bridge and passes events through', () => {
    const raw = bridge(() => ({ ok: true, value: {} }));
    const api = createClient(raw);
    for (const area of Object.keys(raw).filter((name) => name !== 'events')) {
      expect(Object.keys((api as unknown as Record<string, object>)[area]!).sort(), area).toEqual(Object.keys((raw as unknown as Record<string, object>)[area]!).sort());
    }
    expect(api.events).toBe(raw.events);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('shows a failure no call site caught, except Locked and Cancelled', async () => {
    const page = new EventTarget();
    const shown: string[] = [];
    const stop = reportUncaughtCallErrors(page as unknown as Window, (message) => shown.push(message));
    const reject = (reason: unknown) => {
      const event = Object.assign(new Event('unhandledrejection', { cancelable: true }), { reason });
      page.dispatchEvent(event);
      return event.defaultPrevented;
    };
    // `void api.sessions.release(…)` failing used to vanish: now the person sees it.
    expect(reject(new CallError('BackendUnavailable', 'Redis at 127.0.0.1:6390 is not answering.'))).toBe(true);
    expect(reject(new CallError('Locked', 'Latchkey is locked.'))).toBe(true);
    expect(reject(new CallError('Cancelled', 'Cancelled.'))).toBe(true);
    expect(reject(new TypeError('a bug'))).toBe(false);
    expect(shown).toEqual(['Redis at 127.0.0.1:6390 is not answering.']);
    stop();
    reject(new CallError('NotFound', 'gone'));
    expect(shown).toHaveLength(1);
  });
});
