import type { Redis } from 'ioredis';

/**
 * The least a walk that reads each session can cost on a server without an index: one script per SCAN
 * step (COUNT 1000) that only reads one field of every key it is given and compares it — no tables, no
 * reply but the cursor and a count, nothing deleted. Its time bounds how much faster than the seed's
 * algorithm any such walk can be on the machine the benchmark runs on.
 */
const FLOOR = `
local step = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', '1000')
local n = 0
for _, key in ipairs(step[2]) do
  if redis.call('HGET', key, 'device_id') == ARGV[3] then n = n + 1 end
end
return {step[1], n}`;

export async function floorWalk(redis: Redis, prefix = 'session:'): Promise<void> {
  const sha = (await redis.script('LOAD', FLOOR)) as string;
  let cursor = '0';
  do {
    [cursor] = (await redis.evalsha(sha, 0, cursor, `${prefix}*`, 'no-such-device')) as [string, number];
  } while (cursor !== '0');
}
