import type { Core } from '../../core';
import { readDotenvFile } from '../../core/envfiles';
import { invalidInput } from '../../core/errors';
import { createChosenFiles } from '../chosen-files';
import type { Handlers } from '../ipc/router';
import type { ChoosePath } from '../path-chooser';

/**
 * .env export and import, Mycelium import. Main asks the person for the file (choosePath), keeps the
 * chosen path behind an id, reads and writes the files itself; the renderer sees names and counts.
 */
export function envfilesHandlers(deps: { core: Core; choosePath?: ChoosePath }): Handlers['envfiles'] {
  const { environments } = deps.core;
  const chosen = createChosenFiles();
  const choose: ChoosePath = (request) => {
    if (deps.choosePath === undefined) throw invalidInput('Choosing a file is not available here.');
    return deps.choosePath(request);
  };
  return {
    exportDotenv: async ({ project, environment }) => {
      const path = await choose({ purpose: 'export', title: `Export ${project}/${environment} as a .env file`, defaultPath: `${project}.${environment}.env` });
      if (path === undefined) return { cancelled: true };
      const written = await environments.exportDotenv(project, environment, { out: path });
      return { cancelled: false, path, count: written.count };
    },
    chooseFile: async ({ purpose, project }) => {
      const path = await choose(
        purpose === 'mycelium'
          ? { purpose, title: 'Choose a Mycelium secrets file', defaultPath: environments.myceliumPath(project) }
          : { purpose, title: 'Choose a .env file to import' },
      );
      return path === undefined ? { cancelled: true } : { cancelled: false, fileId: chosen.remember(path, purpose), path };
    },
    previewImport: async ({ project, environment, fileId }) => environments.previewImport(project, environment, await readDotenvFile(chosen.pathOf(fileId, 'dotenv'))),
    applyImport: async ({ project, environment, fileId, typedNames, keys }) =>
      environments.applyImport(project, environment, await readDotenvFile(chosen.pathOf(fileId, 'dotenv')), { confirmation: { typedNames }, ...(keys === undefined ? {} : { keys }) }),
    importMycelium: async ({ project, environment, fileId, force, overwrite, typedNames }) => {
      const result = await environments.importMycelium(project, environment, chosen.pathOf(fileId, 'mycelium'), { force: force === true, overwrite: overwrite === true, confirmation: { typedNames } });
      return { projectName: result.project_name, results: result.results, ...(result.snapshot_id === undefined ? {} : { snapshot_id: result.snapshot_id }) };
    },
  };
}
