/** `.env` export and import, Mycelium import (docs/ARCHITECTURE.md, "Core areas"): what main and the CLI use. Everything else in this folder is internal to core. */
export { exportEnvironment, type ExportDeps } from './export-environment';
export { applyDotenvImport, previewDotenvImport, type DotenvImportPreview, type DotenvImportResult, type ImportDeps } from './import-dotenv';
export { importMycelium, type MyceliumImportDeps, type MyceliumImportResult } from './mycelium-import';
export { readDotenvFile } from './read-dotenv-file';
