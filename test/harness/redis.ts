import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import type { TlsFiles } from './redis-extra';

/**
 * Real redis-server processes on free loopback ports, started and stopped by the tests themselves.
 * Nothing assumes a server on a standard port.
 */
export interface RedisServer {
  port: number;
  url: string;
  /** Kills the server (SIGKILL: nothing is flushed) and starts it again on the same port, empty. */
  restart(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing until resume() (a paused or hung server). */
  pause(): void;
  resume(): void;
}

export interface RedisOptions {
  /** Extra `redis-server` arguments, e.g. ['--requirepass', 'pw']. */
  args?: string[];
  /** Used to build `url` (ACL user "default"). */
  password?: string;
}

const REDIS_SERVER = process.env.LATCHKEY_REDIS_SERVER ?? 'redis-server';

export function redisAvailable(): boolean {
  return spawnSync(REDIS_SERVER, ['--version']).status === 0;
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function spawnRedis(port: number, dir: string, args: string[]): ChildProcess {
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.resume();
  return child;
}

async function killChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-redis-'));
  const args = options.args ?? [];
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawnRedis(port, dir, args);
    await waitForPort(port, child);
  };
  await start();
  const auth = options.password === undefined ? '' : `default:${encodeURIComponent(options.password)}@`;
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    start,
    kill: () => killChild(child, 'SIGKILL'),
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async restart() {
      await killChild(child, 'SIGKILL');
      await start();
    },
    async stop() {
      child?.kill('SIGCONT');
      await killChild(child, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  ports: number[];
  /** Seed nodes for ioredis' Cluster constructor. */
  nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

/**
 * A real Redis Cluster of `masters` masters (and `replicas` replicas per master), created with redis-cli
 * --cluster create. With `tls`, every node speaks only TLS, to clients and to each other (tls-cluster),
 * with the test CA's certificate; the cluster bus and `CLUSTER SLOTS` then name the TLS ports.
 */
export async function startRedisCluster(masters = 3, options: { replicas?: number; tls?: TlsFiles } = {}): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const replicas = options.replicas ?? 0;
  const tls = options.tls;
  const tlsArgs = tls === undefined ? [] : ['--tls-cert-file', tls.serverCert, '--tls-key-file', tls.serverKey, '--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no', '--tls-cluster', 'yes', '--tls-replication', 'yes'];
  const cli = (args: string[]) => spawnSync('redis-cli', [...(tls === undefined ? [] : ['--tls', '--cacert', tls.ca]), ...args], { encoding: 'utf8' });
  for (let i = 0; i < masters * (1 + replicas); i += 1) {
    const port = await freePort();
    const listen = tls === undefined ? [] : ['--port', '0', '--tls-port', String(port)];
    const child = spawnRedis(port, dir, [...listen, ...tlsArgs, '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '2000']);
    await waitForPort(port, child);
    children.push(child);
    ports.push(port);
  }
  const created = cli(['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', String(replicas), '--cluster-yes']);
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  // Wait until every node reports the cluster as ok.
  const deadline = Date.now() + 20_000;
  for (const port of ports) {
    for (;;) {
      const info = cli(['-p', String(port), 'cluster', 'info']).stdout;
      if (info.includes('cluster_state:ok')) break;
      if (Date.now() > deadline) throw new Error(`cluster node ${port} never reached cluster_state:ok`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    ports,
    nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    async stop() {
      await Promise.all(children.map((child) => killChild(child, 'SIGTERM')));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
