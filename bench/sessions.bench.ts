import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../electron/core/log';
import { openSessionRedis, type SessionRedis } from '../electron/core/sessions/connection';
import { SessionStore } from '../electron/core/sessions/store';
import { formatIsoTimestamp } from '../electron/core/sessions/timestamps';
import { startRedis, type RedisServer } from '../test/harness/redis';
import { seedRevokeOwner } from '../test/harness/seed-session-server';

/**
 * Session administration at 1,000,000 sessions (LATCHKEY_BENCH_SESSIONS to change), all measured in
 * one run against one real redis-server:
 *   - revoke-device / revoke-user through Latchkey's index, through the pipelined keyspace walk, and
 *     by the seed server's own algorithm (SCAN without COUNT + one HGETALL and DEL per key, awaited);
 *   - validate throughput against a raw HGETALL loop on the same client.
 * Prints times and ratios; asserts only that each path revoked the right sessions, never on time.
 */
const SESSIONS = Number(process.env.LATCHKEY_BENCH_SESSIONS ?? 1_000_000);
const USERS = Math.max(1, Math.floor(SESSIONS / 10)); // 10 sessions per user
const DEVICES = Math.max(1, Math.floor(SESSIONS / 4)); // 4 sessions per device
const TOKENS_KEPT = 10_000; // sessions whose token we keep, for the validate benchmark
const INDEX_RUNS = 30;
const SCAN_RUNS = 1;
const VALIDATE_ROUNDS = 5;

const logger = createLogger({ sink: () => undefined });

function resp(args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

/**
 * Loads the sessions as the server writes them (HSET + PEXPIREAT) plus Latchkey's index entries, through
 * `redis-cli --pipe` (the mass-insertion protocol), streamed so the file never exists in full.
 */
async function load(port: number): Promise<string[]> {
  const cli = spawn('redis-cli', ['-p', String(port), '--pipe'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let report = '';
  cli.stdout.on('data', (chunk: Buffer) => (report += chunk.toString()));
  const tokens: string[] = [];
  const nowMicros = Date.now() * 1000;
  const created = formatIsoTimestamp(nowMicros);
  const expiresMicros = nowMicros + 24 * 3_600_000_000;
  const expires = formatIsoTimestamp(expiresMicros);
  const expiresMs = String(Math.floor(expiresMicros / 1000));
  const kinds = [
    '{"device_type": "wearable", "os": "wearOS", "app_version": "1.0.0"}',
    '{"device_type": "phone", "os": "iOS", "app_version": "1.2.0"}',
    '{"device_type": "phone", "os": "Android", "app_version": "1.2.0"}',
  ];
  let buffer = '';
  for (let i = 0; i < SESSIONS; i += 1) {
    let id: string;
    if (i < TOKENS_KEPT) {
      const token = randomBytes(32).toString('base64url');
      tokens.push(token);
      id = createHash('sha256').update(token).digest('hex');
    } else {
      id = randomBytes(32).toString('hex'); // a token nobody holds: its hash is just as random
    }
    const user = `user-${i % USERS}`;
    const device = `device-${i % DEVICES}`;
    buffer += resp(['HSET', `session:${id}`, 'user_id', user, 'device_id', device, 'created_at', created, 'expires_at', expires, 'metadata', kinds[i % 3]!]);
    buffer += resp(['PEXPIREAT', `session:${id}`, expiresMs]);
    buffer += resp(['ZADD', `latchkey:session:user:${user}`, expiresMs, `${id}:${device}`]);
    buffer += resp(['ZADD', `latchkey:session:device:${device}`, expiresMs, `${id}:${user}`]);
    if (buffer.length > 1 << 20) {
      if (!cli.stdin.write(buffer)) await once(cli.stdin, 'drain');
      buffer = '';
    }
  }
  cli.stdin.end(buffer);
  const [code] = (await once(cli, 'exit')) as [number];
  if (code !== 0 || !/errors: 0,/.test(report)) throw new Error(`redis-cli --pipe failed: ${report}`);
  return tokens;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(3)} ms`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe(`session administration at ${SESSIONS.toLocaleString('en')} sessions`, () => {
  let server: RedisServer;
  let redis: SessionRedis;
  let store: SessionStore;
  let tokens: string[];

  beforeAll(async () => {
    server = await startRedis();
    const started = performance.now();
    tokens = await load(server.port);
    redis = await openSessionRedis({ url: server.url, commandTimeoutMs: 600_000 }, { logger });
    store = new SessionStore({ redis, logger });
    const client = await redis.ready();
    console.info(`[bench] loaded ${SESSIONS.toLocaleString('en')} sessions (${(await client.dbsize()).toLocaleString('en')} keys with indexes) in ${fmt(performance.now() - started)}`);
  });
  afterAll(async () => {
    await redis?.close();
    await server?.stop();
  });

  /** Fresh indexed sessions for the owner being revoked (so every run revokes the same amount). */
  async function plant(kind: 'user' | 'device', owner: string, count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      await store.create(kind === 'user' ? { userId: owner, deviceId: `bench-device-${i}` } : { userId: `bench-user-${i}`, deviceId: owner });
    }
  }

  async function timeRevocation(kind: 'user' | 'device', count: number, runs: number, revoke: (owner: string) => Promise<number>): Promise<number> {
    const times: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const owner = `bench-${kind}-${run}-${randomBytes(4).toString('hex')}`;
      await plant(kind, owner, count);
      const started = performance.now();
      const revoked = await revoke(owner);
      times.push(performance.now() - started);
      expect(revoked).toBe(count);
    }
    return median(times);
  }

  it('revoke-device and revoke-user: index vs pipelined scan vs the seed algorithm', async () => {
    // The seed's algorithm gets its own plain client (no auto-pipelining), as redis-py would be.
    const plain = new Redis(server.url);
    const rows: [string, number, number, number, number][] = [];
    for (const [kind, count] of [['device', 4], ['user', 10]] as const) {
      const field = kind === 'user' ? 'user_id' : 'device_id';
      const revoke = (strategy: 'index' | 'scan') => async (owner: string) =>
        (await (kind === 'user' ? store.revokeUser(owner, { strategy }) : store.revokeDevice(owner, { strategy }))).revoked;
      const indexed = await timeRevocation(kind, count, INDEX_RUNS, revoke('index'));
      const scanned = await timeRevocation(kind, count, SCAN_RUNS, revoke('scan'));
      const seed = await timeRevocation(kind, count, 1, (owner) => seedRevokeOwner(plain, field, owner));
      rows.push([`revoke-${kind} (${count} sessions)`, indexed, scanned, seed, seed / indexed]);
    }
    plain.disconnect();
    console.info(`\n[bench] revocation at ${SESSIONS.toLocaleString('en')} sessions (index: median of ${INDEX_RUNS} runs; scan: ${SCAN_RUNS} run; seed: 1 run)`);
    console.info('[bench] | operation | index | pipelined scan | seed algorithm | seed / index | seed / scan |');
    console.info('[bench] |---|---|---|---|---|---|');
    for (const [name, indexed, scanned, seed, ratio] of rows) {
      console.info(`[bench] | ${name} | ${fmt(indexed)} | ${fmt(scanned)} | ${fmt(seed)} | ${Math.round(ratio).toLocaleString('en')}x | ${(seed / scanned).toFixed(1)}x |`);
    }
  });

  it('validate throughput vs a raw HGETALL loop on the same client', async () => {
    const client = await redis.ready();
    const keys = tokens.map((token) => `session:${createHash('sha256').update(token).digest('hex')}`);
    const rounds: [string, number, number][] = [];
    for (const concurrency of [1, 64]) {
      const run = async (work: (i: number) => Promise<unknown>) => {
        const started = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < tokens.length) await work(next++);
          }),
        );
        return tokens.length / ((performance.now() - started) / 1000);
      };
      // Alternate the two loops and keep the median of each: the machine is shared, so one long run
      // of each would mostly measure what else happened to run at the time.
      const raw: number[] = [];
      const validate: number[] = [];
      for (let round = 0; round < VALIDATE_ROUNDS; round += 1) {
        raw.push(await run((i) => client.hgetall(keys[i]!)));
        let valid = 0;
        validate.push(
          await run(async (i) => {
            if ((await store.validate(tokens[i]!)).valid) valid += 1;
          }),
        );
        expect(valid).toBe(tokens.length);
      }
      rounds.push([`${concurrency} in flight`, median(raw), median(validate)]);
    }
    console.info(`\n[bench] validate vs raw HGETALL, ${tokens.length.toLocaleString('en')} tokens per loop, median of ${VALIDATE_ROUNDS} alternating rounds`);
    console.info('[bench] | concurrency | raw HGETALL/s | validate/s | validate / raw |');
    console.info('[bench] |---|---|---|---|');
    for (const [name, raw, validate] of rounds) {
      console.info(`[bench] | ${name} | ${Math.round(raw).toLocaleString('en')} | ${Math.round(validate).toLocaleString('en')} | ${(validate / raw).toFixed(2)} |`);
    }
  });
});
