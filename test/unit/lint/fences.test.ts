import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The fences eslint.config.mjs puts between the parts of the app, checked with the repository's own
 * configuration: code that reaches around them is an error where it is written.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('lint fences (the repository ESLint configuration)', () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: root });
  });
  const problems = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
    return (result?.messages ?? []).map((message) => `${message.ruleId ?? 'parse'}: ${message.message}`);
  };

  describe('the IPC door: only electron/main/ipc and the preload touch Electron IPC', () => {
    const usesIpcMain = "import { ipcMain } from 'electron';\nipcMain.handle('latchkey:x', () => 1);\n";
    const sendsEvent = "declare const window: { webContents: { send(c: string, p: unknown): void } };\nwindow.webContents.send('latchkey-event:lock.changed', { locked: true });\n";
    const usesIpcRenderer = "import { ipcRenderer } from 'electron';\nvoid ipcRenderer.invoke('latchkey:x', {});\n";

    it('refuses ipcMain, ipcRenderer and webContents.send elsewhere in main', async () => {
      expect(await problems('electron/main/start-app-extra.ts', usesIpcMain)).toEqual([expect.stringContaining("'ipcMain' import from 'electron' is restricted")]);
      expect(await problems('electron/main/handlers/extra.handlers.ts', usesIpcRenderer)).toEqual([expect.stringContaining("'ipcRenderer' import from 'electron' is restricted")]);
      expect(await problems('electron/main/extra.ts', sendsEvent)).toEqual([expect.stringContaining('electron/main/ipc/events.ts')]);
      // Core may not import electron at all.
      expect(await problems('electron/core/extra.ts', usesIpcMain)).toEqual([expect.stringContaining('core is plain Node')]);
    });

    it('allows them in electron/main/ipc and the preload', async () => {
      expect(await problems('electron/main/ipc/extra.ts', usesIpcMain)).toEqual([]);
      expect(await problems('electron/main/ipc/extra.ts', sendsEvent)).toEqual([]);
      expect(await problems('electron/preload/extra.ts', usesIpcRenderer)).toEqual([]);
    });
  });

  describe('core stands below main, the CLI and the renderer', () => {
    it('refuses imports from electron/cli, electron/main and renderer in core', async () => {
      expect(await problems('electron/core/rotation/extra.ts', "import { printOutput } from '../../cli/output/print-output';\nexport const p = printOutput;\n")).toEqual([expect.stringContaining('core never imports electron/cli')]);
      expect(await problems('electron/core/extra.ts', "import { EXIT } from '../cli/exit-codes';\nexport const e = EXIT;\n")).toEqual([expect.stringContaining('core never imports electron/cli')]);
      expect(await problems('electron/core/sessions/extra.ts', "import { startApp } from '../../main/start-app';\nexport const s = startApp;\n")).toEqual([expect.stringContaining('core never imports electron/cli')]);
      expect(await problems('electron/core/extra.ts', "import { App } from '../../renderer/src/App';\nexport const a = App;\n")).toEqual([expect.stringContaining('core never imports electron/cli')]);
    });

    it('allows imports inside core and from shared', async () => {
      expect(await problems('electron/core/rotation/extra.ts', "import { runBounded } from '../async/bounded-pool';\nimport type { PublicError } from '../../../shared/errors';\nexport const r = runBounded;\nexport type E = PublicError;\n")).toEqual([]);
    });
  });

  describe('main, the CLI and the preload use a core area through its index', () => {
    const deep = 'core/<area>';
    it('refuses a file inside a core area, however deep', async () => {
      expect(await problems('electron/main/handlers/extra.handlers.ts', "import { endpointName } from '../../core/services/rotators';\nexport const e = endpointName;\n")).toEqual([expect.stringContaining(deep)]);
      expect(await problems('electron/cli/commands/extra.command.ts', "import { resolveHookExecutable } from '../../core/services/command/hook-executable';\nexport const r = resolveHookExecutable;\n")).toEqual([expect.stringContaining(deep)]);
      expect(await problems('electron/cli/extra.ts', "import type { RestoreResult } from '../core/snapshots/restore-environment';\nexport type R = RestoreResult;\n")).toEqual([expect.stringContaining(deep)]);
      expect(await problems('electron/main/ipc/extra.ts', "import type { AppLock } from '../../core/lock/app-lock';\nexport type L = AppLock;\n")).toEqual([expect.stringContaining(deep)]);
      expect(await problems('electron/preload/extra.ts', "import { readDotenvFile } from '../core/envfiles/read-dotenv-file';\nexport const r = readDotenvFile;\n")).toEqual([expect.stringContaining(deep)]);
    });

    it('keeps the IPC door in main next to it', async () => {
      expect(await problems('electron/main/handlers/extra.handlers.ts', "import { ipcMain } from 'electron';\nimport { endpointName } from '../../core/services/rotators';\nexport const e = [ipcMain, endpointName];\n")).toEqual([
        expect.stringContaining("'ipcMain' import from 'electron' is restricted"),
        expect.stringContaining(deep),
      ]);
    });

    it('allows an area, its index and the top-level core modules', async () => {
      const imports =
        "import { endpointName } from '../../core/services';\nimport type { AppLock } from '../../core/lock/index';\nimport { invalidInput } from '../../core/errors';\nimport type { Core } from '../../core';\n" +
        'export const used = [endpointName, invalidInput];\nexport type Used = [AppLock, Core];\n';
      expect(await problems('electron/main/handlers/extra.handlers.ts', imports)).toEqual([]);
      expect(await problems('electron/main/ipc/extra.ts', imports)).toEqual([]);
      expect(await problems('electron/cli/commands/extra.command.ts', imports)).toEqual([]);
    });

    it('leaves core free to import its own files', async () => {
      expect(await problems('electron/core/rotation/extra.ts', "import { endpointName } from '../services/rotators';\nexport const e = endpointName;\n")).toEqual([]);
    });
  });

  describe('the renderer', () => {
    it('reaches main only through the typed client, never window.latchkey', async () => {
      const raw = "export const pending = window.latchkey.sessions.release({ resultId: 'r' });\n";
      expect(await problems('renderer/src/screens/extra.ts', raw)).toEqual([expect.stringContaining('renderer/src/api.ts')]);
      expect(await problems('renderer/src/api.ts', 'export const bridge = window.latchkey;\n')).toEqual([]);
    });

    it('reads zustand stores through selectors, never whole', async () => {
      const header = "import { useUi } from '../stores/ui.store';\nimport { useCurrent, useProjects } from '../stores/projects.store';\nimport { useToasts as useNotices } from '../stores/toasts.store';\n";
      expect(await problems('renderer/src/screens/Extra.tsx', `${header}export function Extra() {\n  const ui = useUi();\n  const current = useCurrent();\n  const all = useNotices();\n  return [ui, current, all, useProjects()];\n}\n`)).toEqual([
        expect.stringContaining('latchkey/store-selector: useUi() reads the whole store'),
        expect.stringContaining('latchkey/store-selector: useNotices() reads the whole store'),
        expect.stringContaining('latchkey/store-selector: useProjects() reads the whole store'),
      ]);
      expect(await problems('renderer/src/screens/Extra.tsx', `${header}export function Extra() {\n  return [useUi((state) => state.screen), useCurrent(), useNotices((state) => state.toasts), useProjects((state) => state.projects)];\n}\n`)).toEqual([]);
    });
  });
});
