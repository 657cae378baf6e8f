import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The Node.js version Latchkey asks for (package.json "engines", the README) is one that Electron's
 * own installer accepts: `npm install` on an older Node warns EBADENGINE for electron, and a
 * developer who follows the README must not meet that.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const minimum = (range: string): [number, number, number] => {
  const match = /^>=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(range.trim());
  if (match === null) throw new Error(`expected a ">= x.y.z" range, got "${range}"`);
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
};
const atLeast = (a: number[], b: number[]) => a[0]! > b[0]! || (a[0] === b[0] && (a[1]! > b[1]! || (a[1] === b[1] && a[2]! >= b[2]!)));

describe('the Node.js version Latchkey asks for', () => {
  it("is at least what Electron's installer requires, and the README says the same", async () => {
    const app = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { engines: { node: string } };
    const electron = JSON.parse(await readFile(`${root}node_modules/electron/package.json`, 'utf8')) as { engines: { node: string } };
    const asked = minimum(app.engines.node);
    expect(atLeast(asked, minimum(electron.engines.node)), `engines ${app.engines.node} vs electron ${electron.engines.node}`).toBe(true);
    const readme = await readFile(`${root}README.md`, 'utf8');
    expect(readme).toContain(`Node.js ${asked[0]}.${asked[1]} or newer`);
  });
});
