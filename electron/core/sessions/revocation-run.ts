import { backendUnavailable, cancelled, isLatchkeyError, LatchkeyError } from '../errors';
import { AUDIT_MAX_IDS, type SessionAuditEvent } from './audit';
import type { SessionContext } from './context';
import type { Settled } from './deletion';

/**
 * One bulk revocation as the audit trail and the person see it: a `started` entry before anything is
 * deleted, then one outcome with the number of sessions Redis confirmed deleting — also when it is
 * cancelled (Ctrl-C, Cancel) or stops on a failure.
 *
 * Exact counts: a deletion is counted when Redis's reply says it happened. A call whose reply never
 * came (a timeout, a dropped connection, Ctrl-C while a paused server holds it) may have run anyway,
 * or may still run when the server resumes: its sessions are counted apart, as `unconfirmed`, and the
 * outcome says "at least N, possibly up to N + M". Only one deletion call is in flight at a time, so M
 * is at most one batch.
 */
type Subject = Pick<SessionAuditEvent, 'kind' | 'userId' | 'deviceId' | 'filter'>;

/** How long Ctrl-C waits for the deletion in flight to be confirmed before reporting it unconfirmed. */
const CONFIRM_GRACE_MS = 2_000;
const GAVE_UP = Symbol('no answer after cancel');

export class RevocationRun {
  revoked = 0;
  unconfirmed = 0;
  matched: number | undefined;
  private readonly ids: string[] = [];

  constructor(
    private readonly ctx: SessionContext,
    private readonly subject: Subject,
    /** How messages name what is revoked: 'the sessions of device "watch-1"'. */
    private readonly what: string,
    private readonly signal?: AbortSignal,
  ) {}

  /** The `started` entry; when it cannot be written nothing is revoked. */
  async start(): Promise<void> {
    try {
      await this.ctx.auditStarted(this.subject);
    } catch (error) {
      const reason = isLatchkeyError(error) ? ` ${error.message}` : '';
      throw new LatchkeyError(
        isLatchkeyError(error) ? error.kind : 'BackendUnavailable',
        `Nothing was revoked: the audit log could not be written, and Latchkey does not revoke sessions without a record.${reason}`,
        { cause: error },
      );
    }
  }

  throwIfCancelled(): void {
    if (this.signal?.aborted === true) throw cancelled();
  }

  /**
   * Runs one deletion call over `keys` sessions. `confirmed` gets what Redis confirmed; deletions sent
   * without an answer become unconfirmed and the failure is thrown. On cancel, the call in flight gets
   * a short grace to answer; after that all of it is unconfirmed.
   */
  async deletion<R>(keys: number, call: () => Promise<Settled<R>>, confirmed: (results: R[]) => void): Promise<void> {
    const pending = call();
    const signal = this.signal;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const gaveUp = new Promise<typeof GAVE_UP>((resolve) => {
      if (signal === undefined) return;
      onAbort = () => {
        timer = setTimeout(() => resolve(GAVE_UP), CONFIRM_GRACE_MS);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    let settled: Settled<R> | typeof GAVE_UP;
    try {
      settled = await Promise.race([pending, gaveUp]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
    if (settled === GAVE_UP) {
      this.unconfirmed += keys;
      throw cancelled();
    }
    confirmed(settled.results);
    this.unconfirmed += settled.unconfirmed;
    if (settled.error !== undefined) throw isLatchkeyError(settled.error) ? settled.error : this.ctx.redis.failure(settled.error);
  }

  /** A session Redis confirmed deleting. */
  counted(id: string | undefined): void {
    this.revoked += 1;
    if (id !== undefined && this.ids.length < AUDIT_MAX_IDS + 1) this.ids.push(id);
  }

  /** The outcome entry: written whatever happened (its failure is logged by the sink, not thrown). */
  async finish(outcome: 'complete' | 'partial' | 'cancelled'): Promise<void> {
    await this.ctx.audit({
      ...this.subject,
      sessionIds: this.ids,
      count: this.revoked,
      ...(this.matched === undefined ? {} : { matched: this.matched }),
      ...(this.unconfirmed === 0 ? {} : { unconfirmed: this.unconfirmed }),
      outcome,
    });
  }

  /** Runs `work` between the started entry and the outcome, mapping a stop to an error that gives the counts. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.start();
    let outcome: 'complete' | 'partial' | 'cancelled' = 'partial';
    try {
      const result = await work();
      outcome = 'complete';
      return result;
    } catch (error) {
      const failure = isLatchkeyError(error) ? error : this.ctx.redis.failure(error);
      if (failure.kind === 'Cancelled') outcome = 'cancelled';
      throw this.stopped(failure);
    } finally {
      await this.finish(outcome);
    }
  }

  /** "N sessions were revoked before it stopped[, and up to M more may have been]". */
  done(): string {
    const sure = `${this.revoked} session${this.revoked === 1 ? ' was' : 's were'} revoked before it stopped`;
    if (this.unconfirmed === 0) return sure;
    return `${sure}, and up to ${this.unconfirmed} more may have been (Redis did not confirm them; they may still be deleted when it answers again) — at least ${this.revoked}, possibly up to ${this.revoked + this.unconfirmed}`;
  }

  private stopped(failure: LatchkeyError): LatchkeyError {
    if (failure.kind === 'Cancelled') {
      return new LatchkeyError('Cancelled', `Revoking ${this.what} was cancelled; ${this.done()}. Run it again to finish.`);
    }
    if (failure.kind === 'BackendUnavailable') {
      return backendUnavailable(`Revoking ${this.what} stopped: ${failure.message} ${capitalize(this.done())}; run the same revocation again to finish (sessions already revoked are not counted twice).`, {
        cause: failure,
        retryAfterMs: failure.retryAfterMs,
      });
    }
    return failure;
  }
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
