import type { BackendCapabilities, BackendScheme } from './backend';

/**
 * What each kind of backend can do, known without opening it, so the app can shape the secrets view
 * (history only where versions exist, notes only where metadata exists) before — or without — any
 * request. A unit test keeps this table equal to the backends' own `capabilities`.
 */
export type SchemeFeatures = Omit<BackendCapabilities, 'maxValueBytes'> & {
  /** How the backend keeps a note, where it narrows what a note can be. */
  noteRule?: string;
};

export const SCHEME_FEATURES: Record<BackendScheme, SchemeFeatures> = {
  file: { versions: true, softDelete: false, metadata: true, checkAndSet: true },
  env: { versions: false, softDelete: false, metadata: false, checkAndSet: false },
  keychain: { versions: false, softDelete: false, metadata: false, checkAndSet: false },
  vault: { versions: true, softDelete: true, metadata: true, checkAndSet: true },
  aws: { versions: true, softDelete: true, metadata: true, checkAndSet: false, noteRule: 'AWS keeps a note as a tag: at most 256 characters.' },
  gcp: {
    versions: true,
    softDelete: false,
    metadata: true,
    checkAndSet: false,
    noteRule: 'Google keeps a note as a label: it is stored in lower case, with characters other than letters, digits, "_" and "-" as "_", at most 63 characters.',
  },
  azure: { versions: true, softDelete: true, metadata: true, checkAndSet: false, noteRule: 'Azure keeps a note as a tag: at most 256 characters.' },
};

export const SCHEME_LABELS: Record<BackendScheme, string> = {
  file: 'Local encrypted store',
  env: 'Environment variables',
  keychain: 'OS keychain',
  vault: 'Vault',
  aws: 'AWS Secrets Manager',
  gcp: 'Google Secret Manager',
  azure: 'Azure Key Vault',
};
