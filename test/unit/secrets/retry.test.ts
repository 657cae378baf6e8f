import { describe, expect, it } from 'vitest';
import { invalidInput, isLatchkeyError } from '../../../electron/core/errors';
import { backoffDelayMs, TransientBackendError, withRetry, type RetryPolicy } from '../../../electron/core/secrets/remote/retry';

const policy: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, timeoutMs: 1_000 };

function recorder() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

describe('retry policy', () => {
  it('backs off exponentially with full jitter, capped', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, policy, () => 0.999999))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
  });

  it("never waits less than the server's Retry-After, but no more than the cap", () => {
    expect(backoffDelayMs(1, policy, () => 0, 700)).toBe(700);
    expect(backoffDelayMs(1, policy, () => 0, 60_000)).toBe(1_000);
  });

  it('retries transient failures until one succeeds', async () => {
    const { delays, sleep } = recorder();
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new TransientBackendError('flaky');
        return 'done';
      },
      { policy, target: 'Test', sleep, random: () => 0.5 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(delays).toEqual([50, 100]);
  });

  it('gives up after the configured attempts with the last transient error', async () => {
    const { delays, sleep } = recorder();
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls += 1;
        throw new TransientBackendError(`down ${calls}`);
      },
      { policy, target: 'Test', sleep },
    ).catch((caught: unknown) => caught);
    expect(calls).toBe(4);
    expect(delays).toHaveLength(3);
    expect(error).toMatchObject({ kind: 'BackendUnavailable', message: 'down 4', retryAfterMs: expect.any(Number) });
  });

  it('does not retry a permanent failure', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw invalidInput('bad');
        },
        { policy, target: 'Test', sleep: async () => undefined },
      ),
    ).rejects.toMatchObject({ kind: 'InvalidInput' });
    expect(calls).toBe(1);
  });

  it('abandons an attempt at its timeout (even if the operation ignores the signal) and retries it', async () => {
    let calls = 0;
    let sawAbort = false;
    const result = await withRetry(
      async ({ signal }) => {
        calls += 1;
        if (calls === 1) {
          signal.addEventListener('abort', () => (sawAbort = true));
          return new Promise<string>(() => undefined);
        }
        return 'second try';
      },
      { policy: { ...policy, timeoutMs: 20 }, target: 'Vault at example', sleep: async () => undefined },
    );
    expect(result).toBe('second try');
    expect(sawAbort).toBe(true);
  });

  it('reports a timeout as BackendUnavailable naming the target', async () => {
    const error = await withRetry(() => new Promise<never>(() => undefined), { policy: { ...policy, timeoutMs: 10, attempts: 1 }, target: 'Vault at vault.example.com' }).catch((caught: unknown) => caught);
    expect(isLatchkeyError(error) && error.kind).toBe('BackendUnavailable');
    expect((error as Error).message).toMatch(/^Vault at vault.example.com did not answer within 10 ms/);
  });

  it('stops with Cancelled when the caller aborts, without further attempts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = withRetry(
      async () => {
        calls += 1;
        controller.abort();
        throw new TransientBackendError('flaky');
      },
      { policy, target: 'Test', signal: controller.signal },
    );
    await expect(pending).rejects.toMatchObject({ kind: 'Cancelled' });
    expect(calls).toBe(1);
  });
});
