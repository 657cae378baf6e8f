import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { it } from 'vitest';
import { createLogger } from '../electron/core/log';
import { openSessionRedis } from '../electron/core/sessions/connection';
import { SessionStore } from '../electron/core/sessions/store';
import { sessionIdOf } from '../electron/core/sessions/tokens';
import { startRedis } from '../test/harness/redis';
import { load } from './support/session-load';

it('validate parts', async () => {
  const server = await startRedis();
  const tokens = await load([server.port], () => 0, { sessions: 20_000, tokensKept: 10_000 });
  const redis = await openSessionRedis({ url: `redis://127.0.0.1:${server.port}`, commandTimeoutMs: 600_000 } as never, { logger: createLogger({ level: 'warn' }) });
  const store = new SessionStore({ redis, logger: createLogger({ level: 'warn' }), walk: 'server' });
  const client = await redis.ready();
  const keys = tokens.map((t) => `session:${createHash('sha256').update(t).digest('hex')}`);
  const run = async (c: number, work: (i: number) => Promise<unknown>) => {
    const total = 30_000; let next = 0; const s = performance.now();
    await Promise.all(Array.from({ length: c }, async () => { while (next < total) await work(next++ % tokens.length); }));
    return Math.round(total / ((performance.now() - s) / 1000));
  };
  const fields = ['user_id', 'device_id', 'created_at', 'expires_at', 'metadata'];
  for (const c of [1, 64]) {
    const res: Record<string, number[]> = { raw: [], hmsha: [], val: [] };
    for (let r = 0; r < 7; r++) {
      res.raw!.push(await run(c, (i) => client.hgetall(keys[i]!)));
      res.hmsha!.push(await run(c, (i) => client.hmget(`session:${sessionIdOf(tokens[i]!)}`, ...fields)));
      res.val!.push(await run(c, (i) => store.validate(tokens[i]!)));
    }
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[3]!;
    console.log(`c${c} raw ${med(res.raw!)} hmget+sha ${med(res.hmsha!)} validate ${med(res.val!)} val/raw ${(med(res.val!) / med(res.raw!)).toFixed(2)} hmsha/raw ${(med(res.hmsha!) / med(res.raw!)).toFixed(2)}`);
  }
  await redis.close();
  await server.stop();
}, 600_000);
