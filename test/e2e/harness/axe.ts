import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * An accessibility check of what the page shows now, by axe-core (the engine of the browser
 * accessibility tools), injected into the page. Only serious and critical violations are returned:
 * the e2e suite fails on those (WCAG 2.1 A and AA rules, colour contrast included).
 */
let source: Promise<string> | undefined;

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  source ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const script = await source;
  // Evaluated as a script through the DevTools protocol: the page's CSP (no inline script, no eval)
  // stays as the app sets it.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${script}\n;undefined`);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({ id: violation.id, impact: violation.impact ?? '', help: violation.help, targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')) }));
  });
}
