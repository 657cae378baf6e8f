import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { latchkeyPlugin } from './scripts/eslint/store-selector-rule.mjs';

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
    // SECURITY: the IPC door. Only electron/main/ipc (the router, its registration, the event sender)
    // and the preload touch Electron's IPC; everything else goes through them, so every call is checked
    // and every event payload parsed (as VS Code's validatedIpcMain is the only door).
    files: ['electron/**/*.ts'],
    ignores: ['electron/main/ipc/**', 'electron/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: 'IPC goes through electron/main/ipc (router, events) and the preload only' }] },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='send'][object.property.name='webContents']", message: 'events go to the window through electron/main/ipc/events.ts (payloads parsed against their schemas)' },
      ],
    },
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
    plugins: { 'react-hooks': reactHooks, latchkey: latchkeyPlugin },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'latchkey/store-selector': 'error',
      // Calls to main go through the typed client (renderer/src/api.ts), whose calls throw on failure.
      'no-restricted-properties': ['error', { object: 'window', property: 'latchkey', message: 'use the client in renderer/src/api.ts: its calls throw a CallError instead of answering { ok: false }' }],
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
  {
    // The one place that wraps the bridge.
    files: ['renderer/src/api.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
