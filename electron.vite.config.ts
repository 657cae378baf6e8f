import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import renderer from './vite.config';

// electron-vite builds three bundles: main (Node), preload (sandboxed), renderer (vite.config.ts).
// The CLI is a second entry of the main bundle, so `latchkey` runs the same core code as the app,
// without Electron.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'electron/main/index.ts'),
          cli: resolve(__dirname, 'electron/cli/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() packages: bundle everything it uses (zod, the contract).
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'electron/preload/index.ts') } },
    },
  },
  renderer,
});
