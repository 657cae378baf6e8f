import type { Cluster, Redis } from 'ioredis';

/**
 * The revoke-device walk as Latchkey did it before the walk moved to the server (the code of
 * scan.ts / bulk-revocation.ts until issue 12), kept here as the benchmark's baseline: SCAN each master
 * with MATCH and COUNT 1000 (the next SCAN asked for while a batch is checked), the owner field of every
 * key read on the server by one script per batch on a single server (one HGET per key, auto-pipelined,
 * in a cluster), then each match revoked by the per-key owner-checked script.
 */
const MATCH_FIELD = `
local matches = {}
for i, key in ipairs(KEYS) do
  local value = redis.pcall('HGET', key, ARGV[1])
  if type(value) == 'string' and value == ARGV[2] then matches[#matches + 1] = i end
end
return matches`;

const REVOKE = `
local owner = redis.call('HMGET', KEYS[1], 'user_id', 'device_id')
local expected = (ARGV[1] == 'user_id') and owner[1] or owner[2]
if expected ~= ARGV[2] then return 0 end
return redis.call('DEL', KEYS[1])`;

type Scripted = { benchMatchField(n: number, ...args: string[]): Promise<number[]>; benchRevoke(key: string, field: string, owner: string): Promise<number> };

export async function pipelinedRevokeOwner(client: Redis | Cluster, field: 'user_id' | 'device_id', owner: string, prefix = 'session:'): Promise<number> {
  const cluster = 'nodes' in client && typeof (client as Cluster).nodes === 'function' && (client as Cluster).isCluster === true;
  const scripted = client as (Redis | Cluster) & Scripted;
  if (typeof scripted.benchRevoke !== 'function') {
    client.defineCommand('benchMatchField', { lua: MATCH_FIELD });
    client.defineCommand('benchRevoke', { numberOfKeys: 1, lua: REVOKE });
  }
  const masters = cluster ? (client as Cluster).nodes('master') : [client as Redis];
  let revoked = 0;
  for (const node of masters) {
    const scan = (cursor: string) => node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    let pending = scan('0');
    for (;;) {
      const [cursor, keys] = await pending;
      if (cursor !== '0') pending = scan(cursor);
      let matches: string[] = [];
      if (keys.length > 0) {
        if (cluster) {
          const values = await Promise.all(keys.map((key) => client.hget(key, field)));
          matches = keys.filter((_, i) => values[i] === owner);
        } else {
          matches = (await scripted.benchMatchField(keys.length, ...keys, field, owner)).map((position) => keys[position - 1]!);
        }
      }
      const replies = await Promise.all(matches.map((key) => scripted.benchRevoke(key, field, owner)));
      revoked += replies.reduce((sum, n) => sum + n, 0);
      if (cursor === '0') break;
    }
  }
  return revoked;
}

/**
 * The seed server's way (scan_iter without COUNT, one HGETALL and DEL per key, each awaited) applied
 * to a metadata filter, as an admin would write it with the seed's code: the metadata JSON parsed per key.
 */
export async function seedRevokeWhere(redis: Redis, field: string, value: string, prefix = 'session:'): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`);
    cursor = next;
    for (const key of keys) {
      const data = await redis.hgetall(key);
      try {
        if ((JSON.parse(data.metadata ?? '{}') as Record<string, unknown>)[field] === value) count += await redis.del(key);
      } catch {
        // a record the seed cannot parse is skipped
      }
    }
  } while (cursor !== '0');
  return count;
}
