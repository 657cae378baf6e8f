import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The real electron/preload/index.ts, bundled as a classic script with the browser `electron` shim. */
export async function bundlePreloadForBrowser(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    root,
    resolve: { alias: { electron: fileURLToPath(new URL('./browser-electron.ts', import.meta.url)) } },
    build: {
      write: false,
      minify: false,
      lib: { entry: `${root}electron/preload/index.ts`, formats: ['iife'], name: 'latchkeyPreload' },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunk = outputs.flatMap((output) => output.output).find((item) => item.type === 'chunk');
  if (chunk === undefined || chunk.type !== 'chunk') throw new Error('preload bundle produced no chunk');
  return chunk.code;
}
