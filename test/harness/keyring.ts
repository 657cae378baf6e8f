import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { createKeytarKeychain, type Keychain } from '../../electron/core/keychain';

/**
 * Keychain tests need a real Secret Service (gnome-keyring under dbus-run-session; see
 * scripts/with-keyring.sh). Under CI=true a missing keyring fails the run loudly; elsewhere the tests
 * skip and say why.
 */
let probed: Promise<string | undefined> | undefined;

/** undefined when a keyring answered a set/get/delete round trip, otherwise the reason it did not. */
export function probeKeyring(): Promise<string | undefined> {
  probed ??= (async () => {
    const keychain = createKeytarKeychain();
    const account = `probe-${randomUUID()}`;
    try {
      await keychain.setPassword('latchkey-test-probe', account, 'probe');
      const read = await keychain.getPassword('latchkey-test-probe', account);
      await keychain.deletePassword('latchkey-test-probe', account);
      return read === 'probe' ? undefined : 'the keyring returned a different value than was stored';
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? String(error);
      return `no Secret Service keyring is reachable (${cause})`;
    }
  })();
  return probed;
}

export function realKeychain(): Keychain {
  return createKeytarKeychain();
}

const reason = await probeKeyring();

/** describe() for tests that need the real OS keychain. */
export function describeWithKeyring(name: string, body: () => void): void {
  if (reason === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(`CI=true but ${reason}. Run the tests through scripts/with-keyring.sh (as .ci/run does).`);
    });
    return;
  }
  console.warn(`[skipped] ${name}: ${reason}. Run through scripts/with-keyring.sh to include them.`);
  describe.skip(name, body);
}
