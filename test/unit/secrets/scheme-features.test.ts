import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core';
import { backendSchemes, type SecretBackend } from '../../../electron/core/secrets/backend';
import { openBackend } from '../../../electron/core/secrets/connections/open-backend';
import { parseConnection } from '../../../electron/core/secrets/connections/parse-connection';
import { SCHEME_FEATURES } from '../../../electron/core/secrets/scheme-features';
import { MemoryKeychain } from '../../doubles/memory-keychain';
import { captureLogger } from '../../harness/log-capture';

// The app shapes the secrets view from SCHEME_FEATURES without opening a backend; this keeps that
// table equal to what each backend says of itself. Opening builds clients only (no request is made).
const neverUsed: TokenCredential = { getToken: async (): Promise<AccessToken | null> => null };

const settings = {
  env: { kind: 'env' },
  keychain: { kind: 'keychain' },
  vault: { kind: 'vault', address: 'https://vault.example.com', auth: { method: 'token' } },
  aws: { kind: 'aws', region: 'us-east-1', credentials: { source: 'default-chain' } },
  gcp: { kind: 'gcp', projectId: 'my-project-123', credentials: { source: 'adc' } },
  azure: { kind: 'azure', vaultName: 'kv-one', credentials: { source: 'default' } },
} as const;

async function backendOf(scheme: (typeof backendSchemes)[number]): Promise<SecretBackend> {
  const deps = { logger: captureLogger().logger, keychain: new MemoryKeychain(), env: {}, azureCredential: () => neverUsed };
  if (scheme === 'file') {
    const core = createCore({ paths: { configDir: '/nonexistent/config', stateDir: '/nonexistent/state' } as never, keychain: deps.keychain, logger: deps.logger });
    return core.backends.resolve({ scheme: 'file', path: 'p/e/K' });
  }
  return openBackend({ connection: parseConnection(settings[scheme]), ...(scheme === 'vault' ? { credentials: { token: 't' } } : {}) }, deps);
}

describe('SCHEME_FEATURES', () => {
  it.each(backendSchemes)('%s matches the backend\'s own capabilities', async (scheme) => {
    const backend = await backendOf(scheme);
    try {
      const { maxValueBytes: _bytes, ...capabilities } = backend.capabilities;
      const { noteRule: _rule, ...features } = SCHEME_FEATURES[scheme];
      expect(features).toEqual(capabilities);
    } finally {
      await backend.close?.();
    }
  });
});
