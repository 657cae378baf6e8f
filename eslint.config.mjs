import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { latchkeyPlugin } from './scripts/eslint/store-selector-rule.mjs';

const IPC_DOOR = { name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: 'IPC goes through electron/main/ipc (router, events) and the preload only' };
/** A file inside a core area (core/<area>/<file>, deeper too), except the area's index. */
const CORE_AREA_INDEX = {
  regex: '(^|/)core/[^/]+/(?!index$)[^/]+',
  message: 'main, the CLI and the preload import a core area through its index (core/<area>); export what is needed from that index',
};

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
        { paths: [IPC_DOOR] },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='send'][object.property.name='webContents']", message: 'events go to the window through electron/main/ipc/events.ts (payloads parsed against their schemas)' },
      ],
    },
  },
  {
    // Public surfaces: main, the CLI and the preload use a core area through its index
    // (electron/core/<area>, or electron/core/<area>/index), never a file inside it, so an area can
    // change its files without reaching into its users. Top-level core modules that are single files
    // (core/errors, core/log, core/paths, core/keychain, core/index) are imported as they are.
    // Flat config replaces a rule's options per file, so the IPC door's paths are repeated here.
    files: ['electron/main/**/*.ts', 'electron/cli/**/*.ts'],
    ignores: ['electron/main/ipc/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [IPC_DOOR], patterns: [CORE_AREA_INDEX] }],
    },
  },
  {
    files: ['electron/main/ipc/**/*.ts', 'electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [CORE_AREA_INDEX] }],
    },
  },
  {
    // Core holds secret values: it logs only through the redacting logger. It is plain Node below
    // main, the CLI and the renderer, so it never reaches up into them (their text, IPC or UI).
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'core is plain Node: it never imports electron' }],
          patterns: [{ group: ['**/cli', '**/cli/**', '**/main', '**/main/**', '**/renderer', '**/renderer/**'], message: 'core never imports electron/cli, electron/main or renderer: they build on core, not the other way round' }],
        },
      ],
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
