import type { PublicError } from '../../../../shared/errors';

/** Per-key results of an import or copy: what happened to each, failures with their reason. */
export function WriteResults({ results }: { results: { key: string; ok: boolean; action: string; version?: string | undefined; error?: PublicError | undefined; note?: string | undefined }[] }) {
  return (
    <table className="data-table write-results" aria-label="Results">
      <tbody>
        {results.map((result) => (
          <tr key={result.key} className={result.ok ? undefined : 'row-failed'}>
            <td className="mono">{result.key}</td>
            <td>
              <span className={`pill pill-${result.ok ? result.action : 'failed'}`}>{result.ok ? result.action : 'failed'}</span>
            </td>
            <td className="muted">{result.error?.message ?? result.note ?? (result.version === undefined ? '' : `version ${result.version}`)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
