import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Fault } from '../../test/fakes/http-fake';
import type { TokenPolicy } from '../../test/fakes/vault-fake';

/**
 * The wire-level Vault fake (test/fakes/vault-fake.ts) serving from a child Node process, as a real
 * Vault serves from another process: its HTTP server, JSON and routing then use their own thread, and a
 * benchmark's time is Latchkey's client alone, not the client and the fake sharing one event loop.
 *
 * The child (vault-fake-server.ts, TypeScript loaded with jiti) is driven over the fork's IPC channel.
 * It never outlives the bench: close() kills it, the parent's 'exit' handler kills it if close() was
 * never reached, and the child exits by itself when the channel closes (the parent died).
 */
export interface VaultFakeProcess {
  url: string;
  createToken(options?: { namespace?: string; policy?: TokenPolicy; ttlSeconds?: number; maxTtlSeconds?: number; renewable?: boolean }): Promise<string>;
  /** Seeds the secrets as another writer would have, in one message whatever their number. */
  seed(secrets: readonly SeededSecret[]): Promise<void>;
  /** A fault without `match` (a function cannot cross to the child): it applies to every request. */
  inject(fault: RemoteFault): Promise<void>;
  /** Requests received so far. */
  countRequests(): Promise<number>;
  close(): Promise<void>;
}

export interface SeededSecret {
  path: string;
  data: Record<string, unknown>;
}

export type RemoteFault = Omit<Fault, 'match'>;

/** What the parent asks; the child answers each with the same id. */
export type VaultFakeRequest =
  | { id: number; op: 'start'; maxVersions: number }
  | { id: number; op: 'createToken'; options: Parameters<VaultFakeProcess['createToken']>[0] }
  | { id: number; op: 'seed'; secrets: readonly SeededSecret[] }
  | { id: number; op: 'inject'; fault: RemoteFault }
  | { id: number; op: 'countRequests' };

export type VaultFakeReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

const SERVER = fileURLToPath(new URL('./vault-fake-server.ts', import.meta.url));
const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

export async function startVaultFakeProcess(options: { maxVersions?: number } = {}): Promise<VaultFakeProcess> {
  const child = fork(SERVER, [], {
    cwd: REPOSITORY, // where --import finds jiti
    execArgv: ['--import', 'jiti/register'],
    // Structured clone rather than JSON, so a fault's `times: Infinity` arrives as Infinity.
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let exited: Error | undefined;
  child.on('message', (reply: VaultFakeReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.ok) waiter?.resolve(reply.value);
    else waiter?.reject(new Error(`Vault fake process: ${reply.message}`));
  });
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      exited = new Error(`the Vault fake process exited (${signal ?? `code ${code}`})`);
      for (const waiter of pending.values()) waiter.reject(exited);
      pending.clear();
      resolve();
    }),
  );

  // Distributive, so each request's own fields are required.
  type Unsent<R> = R extends unknown ? Omit<R, 'id'> : never;
  const call = (request: Unsent<VaultFakeRequest>): Promise<unknown> => {
    if (exited !== undefined) return Promise.reject(exited);
    const id = (nextId += 1);
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ ...request, id }, (error) => {
        if (error === null || !pending.has(id)) return;
        pending.delete(id);
        reject(error);
      });
    });
  };
  const close = async (): Promise<void> => {
    if (exited === undefined) child.kill('SIGTERM');
    await exit;
  };

  let url: string;
  try {
    url = (await call({ op: 'start', maxVersions: options.maxVersions ?? 10 })) as string;
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url,
    createToken: async (tokenOptions) => (await call({ op: 'createToken', options: tokenOptions })) as string,
    seed: async (secrets) => void (await call({ op: 'seed', secrets })),
    inject: async (fault) => void (await call({ op: 'inject', fault })),
    countRequests: async () => (await call({ op: 'countRequests' })) as number,
    close,
  };
}
