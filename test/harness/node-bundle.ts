import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Bundles a TypeScript entry (and the project code it imports) into one CommonJS file that plain
 * `node` runs, for tests that need real child processes running core (crash safety). Native modules
 * (keytar) and pg (whose optional pg-native a bundler cannot resolve) stay external; the bundle is
 * written under test-results/, inside the checkout, so that require('keytar') finds node_modules.
 */
export async function bundleForNode(entry: string, name: string): Promise<string> {
  const outDir = `${root}test-results/bundles`;
  await build({
    configFile: false,
    logLevel: 'silent',
    root,
    build: {
      ssr: entry,
      outDir,
      emptyOutDir: false,
      minify: false,
      target: 'node20',
      rollupOptions: { external: ['keytar', 'pg', /^node:/], output: { format: 'cjs', entryFileNames: `${name}.cjs` } },
    },
    ssr: { noExternal: true, external: ['keytar', 'pg'] },
  });
  return `${outDir}/${name}.cjs`;
}
