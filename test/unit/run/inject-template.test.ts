import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { applyQuotingFilter } from '../../../electron/core/inject/quoting-filters';
import { parseTemplate, renderTemplate } from '../../../electron/core/inject/template';

// js-yaml comes with electron-builder (a dev dependency); it is the YAML 1.2 parser these checks read back with.
const yamlModule = 'js-yaml';
const yaml = (await import(yamlModule)) as { load(text: string): unknown };

/** Values that break naive quoting: quotes of every kind, backslashes, newlines, $, #, control and line-separator characters, unicode. */
const HOSTILE = [
  'plain',
  `it's "quoted" \`back\``,
  'back\\slash \\n not a newline \\',
  'two\nlines\r\nand a tab\t',
  '$HOME ${HOME} $(id) `id` # not a comment',
  'ünïcødé ✓ 🔑',
  'nel\u0085 ls\u2028 ps\u2029 del\u007f c1\u009b bom\ufeff',
  '- yaml: looking {value} [list] &anchor *alias !tag %directive @at',
  "'",
  '',
];

describe('{{ <reference> | <filter> }} templates', () => {
  it('finds placeholders with their lines and filters, and leaves other {{ … }} alone', () => {
    const text = 'a: {{ file://p/e/A }}\nb: {{vault://payments/prod/DB_URL|json}}\nhelm: {{ .Values.x }}\n\nc: {{ aws://x/y | yaml }} d: {{ gcp://k | base64 }}\n';
    const found = parseTemplate(text, 'config.tpl');
    expect(found.map(({ line, ref, filter }) => ({ line, ref, filter }))).toEqual([
      { line: 1, ref: 'file://p/e/A', filter: 'raw' },
      { line: 2, ref: 'vault://payments/prod/DB_URL', filter: 'json' },
      { line: 5, ref: 'aws://x/y', filter: 'yaml' },
      { line: 5, ref: 'gcp://k', filter: 'base64' },
    ]);
    expect(renderTemplate(text, found, (placeholder) => `<${placeholder.ref}>`)).toBe(
      'a: <file://p/e/A>\nb: <vault://payments/prod/DB_URL>\nhelm: {{ .Values.x }}\n\nc: <aws://x/y> d: <gcp://k>\n',
    );
  });

  it('an unknown scheme, a broken reference or an unknown filter is refused with the line', () => {
    expect(() => parseTemplate('x\ny: {{ valut://a/b }}', 't.yml')).toThrow(expect.objectContaining({ kind: 'InvalidInput', message: expect.stringContaining('t.yml line 2: "valut://" is not a Latchkey reference scheme') }));
    expect(() => parseTemplate('{{ file:// }}', 't')).toThrow(/t line 1: .*not a secret reference/);
    expect(() => parseTemplate('\n\n{{ file://p/e/K | toml }}', 't')).toThrow(/t line 3: "\| toml" after file:\/\/p\/e\/K is not a filter; use one of \| raw, \| json, \| yaml, \| shell, \| base64/);
  });

  it.each(HOSTILE)('json and yaml filters read back as the exact value: %j', (value) => {
    expect(JSON.parse(`{"v": ${applyQuotingFilter('json', value, 'x')}}`)).toEqual({ v: value });
    expect(yaml.load(`v: ${applyQuotingFilter('yaml', value, 'x')}\n`)).toEqual({ v: value });
    expect(yaml.load(`list:\n  - ${applyQuotingFilter('yaml', value, 'x')}\n`)).toEqual({ list: [value] });
    expect(Buffer.from(applyQuotingFilter('base64', value, 'x'), 'base64').toString('utf8')).toBe(value);
    expect(applyQuotingFilter('raw', value, 'x')).toBe(value);
  });

  it('the shell filter makes one word that a POSIX shell reads back exactly', () => {
    const script = HOSTILE.map((value) => `printf '%s\\0' ${applyQuotingFilter('shell', value, 'x')}`).join('\n');
    const out = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(out.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE);
    expect(() => applyQuotingFilter('shell', 'a\0b', 'f line 2 (file://p/e/K)')).toThrow(/f line 2 \(file:\/\/p\/e\/K\): the value holds a NUL character/);
  });
});
