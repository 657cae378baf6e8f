import { VaultFake } from '../../test/fakes/vault-fake';
import type { VaultFakeReply, VaultFakeRequest } from './vault-fake-process';

/**
 * The child side of vault-fake-process.ts: one VaultFake on a loopback port, driven by the parent's
 * requests over the IPC channel. It exits when the channel closes, so it never outlives the parent.
 */
let fake: VaultFake | undefined;

function started(): VaultFake {
  if (fake === undefined) throw new Error('the fake is not started');
  return fake;
}

async function answer(request: VaultFakeRequest): Promise<unknown> {
  switch (request.op) {
    case 'start':
      if (fake !== undefined) throw new Error('the fake is already started');
      fake = await VaultFake.start({ maxVersions: request.maxVersions });
      return fake.url;
    case 'createToken':
      return started().createToken(request.options);
    case 'seed':
      for (const secret of request.secrets) started().seed(secret.path, secret.data);
      return undefined;
    case 'inject':
      started().inject(request.fault);
      return undefined;
    case 'countRequests':
      return started().server.countRequests();
  }
}

function reply(message: VaultFakeReply): void {
  process.send?.(message);
}

process.on('message', (request: VaultFakeRequest) => {
  answer(request).then(
    (value) => reply({ id: request.id, ok: true, value }),
    (error: unknown) => reply({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
