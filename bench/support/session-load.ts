import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { formatIsoTimestamp } from '../../electron/core/sessions/timestamps';

/**
 * What the session benchmarks share: a million sessions loaded as the API server writes them, and Redis'
 * own CPU time.
 */
/** The cluster slot of a key without a hash tag: CRC16 (XMODEM) of the key, mod 16384 (the Redis Cluster spec). */
export function slotOf(key: string): number {
  let crc = 0;
  for (const byte of Buffer.from(key)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

function resp(args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

const KINDS = [
  '{"device_type": "wearable", "os": "wearOS", "app_version": "1.0.0"}',
  '{"device_type": "phone", "os": "iOS", "app_version": "1.2.0"}',
  '{"device_type": "phone", "os": "Android", "app_version": "1.2.0"}',
];

/**
 * Loads the sessions as the server writes them (HSET + PEXPIREAT, no index) through `redis-cli --pipe`
 * (the mass-insertion protocol), streamed so the data never exists in full; in a cluster, each key goes
 * to the master that owns its slot. Returns the tokens of the first `tokensKept` sessions.
 */
export async function load(ports: number[], slotOwner: (slot: number) => number, sizes: { sessions: number; tokensKept: number }): Promise<string[]> {
  const { sessions: SESSIONS, tokensKept: TOKENS_KEPT } = sizes;
  const pipes = ports.map((port) => {
    const cli = spawn('redis-cli', ['-p', String(port), '--pipe'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let report = '';
    cli.stdout.on('data', (chunk: Buffer) => (report += chunk.toString()));
    return { cli, buffer: '', report: () => report };
  });
  const tokens: string[] = [];
  const nowMicros = Date.now() * 1000;
  const created = formatIsoTimestamp(nowMicros);
  const expiresMicros = nowMicros + 24 * 3_600_000_000;
  const expires = formatIsoTimestamp(expiresMicros);
  const expiresMs = String(Math.floor(expiresMicros / 1000));
  for (let i = 0; i < SESSIONS; i += 1) {
    let id: string;
    if (i < TOKENS_KEPT) {
      const token = randomBytes(32).toString('base64url');
      tokens.push(token);
      id = createHash('sha256').update(token).digest('hex');
    } else {
      id = randomBytes(32).toString('hex'); // a token nobody holds: its hash is just as random
    }
    const key = `session:${id}`;
    const pipe = pipes[slotOwner(slotOf(key))]!;
    pipe.buffer += resp(['HSET', key, 'user_id', `user-${i % Math.max(1, SESSIONS / 10)}`, 'device_id', `device-${i % Math.max(1, SESSIONS / 4)}`, 'created_at', created, 'expires_at', expires, 'metadata', KINDS[i % 3]!]);
    pipe.buffer += resp(['PEXPIREAT', key, expiresMs]);
    if (pipe.buffer.length > 1 << 20) {
      if (!pipe.cli.stdin.write(pipe.buffer)) await once(pipe.cli.stdin, 'drain');
      pipe.buffer = '';
    }
  }
  for (const pipe of pipes) {
    pipe.cli.stdin.end(pipe.buffer);
    const [code] = (await once(pipe.cli, 'exit')) as [number];
    if (code !== 0 || !/errors: 0,/.test(pipe.report())) throw new Error(`redis-cli --pipe failed: ${pipe.report()}`);
  }
  return tokens;
}

/** Redis' own CPU time (main thread, user + system) in ms, summed over `nodes`. */
export async function redisCpuMs(nodes: Redis[]): Promise<number> {
  let total = 0;
  for (const node of nodes) {
    const info = await node.info('cpu');
    const read = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    total += (read('used_cpu_user_main_thread') + read('used_cpu_sys_main_thread')) * 1000;
  }
  return total;
}
