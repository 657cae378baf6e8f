import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

/**
 * redis-server set-ups the plain harness does not cover: TLS only (no plaintext port), and Sentinel.
 * Certificates are made for each run with openssl; nothing is fetched.
 */
export interface TlsFiles {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second CA that signed nothing we use: trusting it must not be enough. */
  otherCa: string;
}

function openssl(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

export async function makeTlsFiles(): Promise<TlsFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-tls-'));
  const subj = (cn: string) => ['-subj', `/CN=${cn}`];
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', ...subj('Latchkey Test CA')], dir);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '2', ...subj('Other CA')], dir);
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['server', 'client']) {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, ...subj(`latchkey-${name}`)], dir);
    openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...(name === 'server' ? ['-extfile', 'server.ext'] : [])],
      dir,
    );
  }
  return {
    dir,
    ca: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    otherCa: join(dir, 'other-ca.crt'),
  };
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis process on port ${port} exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export interface TlsRedis {
  port: number;
  stop(): Promise<void>;
}

/** redis-server that speaks only TLS (no plaintext port), requiring client certificates if asked. */
export async function startTlsRedis(files: TlsFiles, options: { requireClientCert: boolean }): Promise<TlsRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-redis-tls-'));
  const child = spawn(
    'redis-server',
    [
      '--port', '0',
      '--tls-port', String(port),
      '--bind', '127.0.0.1',
      '--tls-cert-file', files.serverCert,
      '--tls-key-file', files.serverKey,
      '--tls-ca-cert-file', files.ca,
      '--tls-auth-clients', options.requireClientCert ? 'yes' : 'no',
      '--save', '', '--appendonly', 'no', '--dir', dir,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.resume();
  await waitForPort(port, child);
  return {
    port,
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Sentinel {
  port: number;
  masterName: string;
  stop(): Promise<void>;
}

/** One Redis Sentinel (quorum 1) watching the master on `masterPort`. */
export async function startSentinel(masterPort: number, masterName = 'latchkey-master'): Promise<Sentinel> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  await writeFile(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1\n`);
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  await waitForPort(port, child);
  return {
    port,
    masterName,
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
