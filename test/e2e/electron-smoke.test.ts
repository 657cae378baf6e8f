import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createTempXdg } from '../harness/temp-xdg';

/**
 * The packaged-app path with the real Electron binary. CI machines install with
 * ELECTRON_SKIP_BINARY_DOWNLOAD=1 (the binary cannot be downloaded there), so this runs where the
 * binary is present and says plainly that it skipped where it is not.
 */
function electronBinary(): string | undefined {
  // The electron package records its binary in path.txt once installed; requiring the package where
  // it is missing would try to download it.
  const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
const root = fileURLToPath(new URL('../../', import.meta.url));

if (binary === undefined) {
  console.warn('[skipped] Electron smoke test: the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD). The renderer e2e tests ran in Chromium instead.');
}

describe.skipIf(binary === undefined)('Electron smoke test (real binary)', () => {
  it('starts the built app, loads app://latchkey with window.latchkey and nothing of Node', async () => {
    const xdg = await createTempXdg();
    const app = await electron.launch({ executablePath: binary!, args: [root], env: { ...(process.env as Record<string, string>), ...xdg.env } });
    try {
      const window = await app.firstWindow();
      await window.waitForLoadState('domcontentloaded');
      expect(window.url()).toBe('app://latchkey/index.html');
      const exposed = await window.evaluate(() => ({
        latchkey: typeof (window as unknown as { latchkey?: unknown }).latchkey,
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }));
      expect(exposed).toEqual({ latchkey: 'object', require: 'undefined', process: 'undefined' });
    } finally {
      await app.close();
      await xdg.cleanup();
    }
  });
});
