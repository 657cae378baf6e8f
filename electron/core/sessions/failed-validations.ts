import type { SessionContext } from './context';

/**
 * Failed validations per UTC hour, counted by Latchkey's validate (the seed asks to monitor failed
 * attempts). One counter key per hour, kept for a week plus a day so a week of history can be charted.
 */
const HOUR_MS = 3_600_000;
const KEEP_MS = 8 * 24 * HOUR_MS;

export const hourStart = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

export async function countFailedValidation(ctx: SessionContext): Promise<void> {
  const key = ctx.keys.failedValidations(hourStart(ctx.now().getTime()));
  try {
    const client = await ctx.client();
    await Promise.all([client.incr(key), client.pexpire(key, KEEP_MS)]);
  } catch (error) {
    // Counting is for the dashboard; the answer to "is this token valid" must not depend on it.
    ctx.logger.warn('could not count a failed session validation', { error });
  }
}

export interface HourCount {
  /** Start of the UTC hour, ISO 8601. */
  hour: string;
  count: number;
}

/** The last `hours` hours, oldest first, the current hour included. */
export async function failedValidationsPerHour(ctx: SessionContext, hours: number): Promise<HourCount[]> {
  const client = await ctx.client();
  const current = hourStart(ctx.now().getTime());
  const starts = Array.from({ length: hours }, (_, i) => current - (hours - 1 - i) * HOUR_MS);
  let counts: (string | null)[];
  try {
    // One GET per hour key, auto-pipelined: each counter may live on a different cluster node.
    counts = await Promise.all(starts.map((start) => client.get(ctx.keys.failedValidations(start))));
  } catch (error) {
    throw ctx.redis.failure(error);
  }
  return starts.map((start, i) => ({ hour: new Date(start).toISOString(), count: parseCount(counts[i] ?? null) }));
}

function parseCount(text: string | null): number {
  const n = text === null ? 0 : Number(text);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}
