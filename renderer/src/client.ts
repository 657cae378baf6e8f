import type { ErrorKind, PublicError } from '../../shared/errors';
import type { Area, CallName, EventsApi, LatchkeyApi, RequestOf, ResultOf } from '../../shared/ipc/contract';

/**
 * The renderer's typed client over `window.latchkey` (as electron-trpc's ipcLink is over IPC): every
 * call answers its result or throws a CallError with the error's kind and message. A call site cannot
 * mistake a failure for a result, and a failure nobody catches still reaches the person (see
 * `reportUncaughtCallErrors`).
 */
export type LatchkeyClient = {
  [A in Area]: { [C in CallName<A>]: (request: RequestOf<A, C>) => Promise<ResultOf<A, C>> };
} & { events: EventsApi };

export class CallError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** Set when trying again later may succeed (a throttled passphrase, a busy backend). */
    readonly retryAfterMs?: number,
    /** The input field the error is about (a settings path such as "address"), for the form to point at. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CallError';
  }
}

type Bridge = Record<string, Record<string, (request: unknown) => Promise<{ ok: true; value: unknown } | { ok: false; error: PublicError }>>>;

/** Wraps each call of the bridge (its areas and calls are read from the bridge itself, which the preload froze). */
export function createClient(bridge: LatchkeyApi): LatchkeyClient {
  const areas: Record<string, Record<string, (request: unknown) => Promise<unknown>>> = {};
  const calls = bridge as unknown as Bridge;
  for (const area of Object.keys(calls)) {
    if (area === 'events') continue;
    const wrapped: Record<string, (request: unknown) => Promise<unknown>> = {};
    for (const name of Object.keys(calls[area]!)) {
      const send = calls[area]![name]!;
      wrapped[name] = async (request) => {
        const answer = await send(request);
        if (answer.ok) return answer.value;
        throw new CallError(answer.error.kind, answer.error.message, answer.error.retryAfterMs, answer.error.field);
      };
    }
    areas[area] = Object.freeze(wrapped);
  }
  return Object.freeze({ ...areas, events: bridge.events }) as unknown as LatchkeyClient;
}

/** What to show for a caught failure: a CallError's message is written for people and never holds a value. */
export function messageOf(error: unknown): string {
  return error instanceof CallError ? error.message : 'Something went wrong. Try again.';
}

/** The field a failure is about, when main said which (a form marks it and moves focus there). */
export function fieldOf(error: unknown): string | undefined {
  return error instanceof CallError ? error.field : undefined;
}

/**
 * A call whose failure no call site caught (an `onClick={() => void save()}` whose save does not catch)
 * is shown through `show` instead of vanishing into the console. 'Locked' and 'Cancelled' are not news:
 * the lock screen says the first, and the person asked for the second.
 */
export function reportUncaughtCallErrors(target: Pick<Window, 'addEventListener' | 'removeEventListener'>, show: (message: string) => void): () => void {
  const onRejection = (event: PromiseRejectionEvent) => {
    if (!(event.reason instanceof CallError)) return;
    event.preventDefault();
    if (event.reason.kind === 'Locked' || event.reason.kind === 'Cancelled') return;
    show(event.reason.message);
  };
  target.addEventListener('unhandledrejection', onRejection);
  return () => target.removeEventListener('unhandledrejection', onRejection);
}
