import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The renderer's Vite config (React). electron-vite (electron.vite.config.ts) uses it for the renderer
 * bundle and adds the main and preload bundles; it also builds the renderer alone with `vite build`.
 */
export default defineConfig({
  root: resolve(__dirname, 'renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: resolve(__dirname, 'out/renderer'),
    emptyOutDir: true,
    minify: true,
    rollupOptions: { input: resolve(__dirname, 'renderer/index.html') },
  },
});
