import type { BrowserWindow, Dialog } from 'electron';

/**
 * Choosing a file is done in main, by the person, in the OS dialog: the renderer asks for "a .env to
 * import" or "where to export", never names a path itself. Tests provide their own chooser.
 */
export interface PathRequest {
  /** hook: the executable a command rotator runs (chosen here, so the page can never name a program to run). */
  purpose: 'export' | 'dotenv' | 'mycelium' | 'hook';
  title: string;
  /** Where the dialog starts (a suggested file name or a full path). */
  defaultPath?: string;
}

/** The chosen path, or undefined when the person cancelled. */
export type ChoosePath = (request: PathRequest) => Promise<string | undefined>;

export function dialogPathChooser(dialog: Pick<Dialog, 'showSaveDialog' | 'showOpenDialog'>, parent: () => BrowserWindow | undefined): ChoosePath {
  return async (request) => {
    const window = parent();
    const base = { title: request.title, ...(request.defaultPath === undefined ? {} : { defaultPath: request.defaultPath }) };
    if (request.purpose === 'export') {
      const options = { ...base, properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[] };
      const answer = window === undefined ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(window, options);
      return answer.canceled || answer.filePath === undefined || answer.filePath === '' ? undefined : answer.filePath;
    }
    const options = {
      ...base,
      properties: ['openFile', 'showHiddenFiles'] as ('openFile' | 'showHiddenFiles')[],
      ...(request.purpose === 'hook'
        ? {}
        : { filters: request.purpose === 'mycelium' ? [{ name: 'Mycelium secrets', extensions: ['json'] }] : [{ name: '.env files', extensions: ['env', '*'] }] }),
    };
    const answer = window === undefined ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(window, options);
    return answer.canceled ? undefined : answer.filePaths[0];
  };
}
