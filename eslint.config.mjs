import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Plain Node scripts (the bin shim, the test runner, the packaging hook).
    files: ['bin/**/*.js', 'scripts/**/*.mjs', 'scripts/**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', require: 'readonly', __dirname: 'readonly', console: 'readonly', URL: 'readonly', module: 'writable', Buffer: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Core holds secret values: it logs only through the redacting logger.
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'core is plain Node: it never imports electron' }] }],
    },
  },
  {
    // The renderer reaches the system only through window.latchkey.
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'node:*', 'fs', 'path', 'child_process', 'os', 'crypto'], message: 'the renderer never imports Node or Electron' },
            { group: ['**/electron/**'], message: 'the renderer reaches main only through window.latchkey' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'localStorage', message: 'no renderer storage: values must never be persisted' }, { name: 'sessionStorage', message: 'no renderer storage' }, { name: 'indexedDB', message: 'no renderer storage' }],
    },
  },
);
