import type { ResultOf } from '../../../../shared/ipc/contract';
import { Icon } from '../../components/Icon';

type Preview = ResultOf<'incidents', 'preview'>;

/**
 * A rotator changes the credential where it is checked; a generated value changes the stored copy only,
 * and the old value keeps working wherever it is checked — a warning, so nobody mistakes one for the other.
 */
function HowItRotates({ item }: { item: Preview['items'][number] }) {
  if (item.class === 'service') return <span className="changes-at-service">Changes the credential at {item.service ?? 'its service'}</span>;
  return (
    <span>
      {item.policy} <span className="pill pill-stored-only">Stored copy only</span>{' '}
      {/* The warning as text beside its pill: a pill stays on one line, a sentence wraps in a narrow column. */}
      <span className="stored-only-why">— the old value still works wherever it is checked</span>
    </span>
  );
}

/**
 * What an incident will do, by the rotation rule: the secrets Latchkey rotates (each can be unticked), the
 * secrets a person must rotate by hand where they were issued — set apart as a warning, since Latchkey
 * will not change them — and the ones that cannot be read, which the run reports as failed.
 */
export function IncidentPreview({ preview, excluded, onToggle }: { preview: Preview; excluded: Set<string>; onToggle(ref: string): void }) {
  const byHand = preview.items.filter((item) => item.class === 'by-hand');
  const unreadable = preview.items.filter((item) => item.class === 'unreadable');
  const rest = preview.items.filter((item) => item.class !== 'by-hand' && item.class !== 'unreadable');
  return (
    <section className="card" aria-label="Preview">
      <h2>
        3. Preview: {preview.rotatable} of {preview.items.length} secrets can be rotated by Latchkey
      </h2>
      {preview.sessions === undefined ? null : (
        <p>
          {preview.sessions.count} session{preview.sessions.count === 1 ? '' : 's'} will be revoked on {preview.sessions.server}.
        </p>
      )}
      {byHand.length === 0 ? null : (
        <section className="by-hand-list" aria-label="Rotate these by hand">
          <h3>
            <Icon name="alert" size={14} /> Rotate these by hand ({byHand.length})
          </h3>
          <p className="muted small">
            Latchkey will not change these: it did not make their values (typed in, imported, issued by a provider) or they hold a URL. Rotate each where it was issued, store the new
            value, then mark it done in the incident&apos;s result.
          </p>
          <table className="data-table">
            <tbody>
              {byHand.map((item) => (
                <tr key={item.ref} className="row-by-hand" data-key={item.key}>
                  <td>
                    {item.project}/{item.environment}
                  </td>
                  <td className="mono">{item.key}</td>
                  <td>
                    {item.provider === undefined || item.reason?.includes(item.provider) === true ? null : <strong>{item.provider}. </strong>}
                    {item.reason}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {unreadable.length === 0 ? null : (
        <section aria-label="Cannot be read">
          <h3>Cannot be read ({unreadable.length}) — reported as failed; the others go on</h3>
          <table className="data-table">
            <tbody>
              {unreadable.map((item) => (
                <tr key={item.ref} className="row-failed" data-key={item.key}>
                  <td>
                    {item.project}/{item.environment}
                  </td>
                  <td className="mono">{item.key}</td>
                  <td>{item.error?.message ?? item.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <table className="data-table" aria-label="Rotated by Latchkey">
        <thead>
          <tr>
            <th aria-label="Include" />
            <th>Environment</th>
            <th>Secret</th>
            <th>How</th>
          </tr>
        </thead>
        <tbody>
          {rest.map((item) => (
            <tr key={item.ref} className={item.rotatable ? undefined : 'row-skipped'} data-key={item.key}>
              <td>
                {item.rotatable ? <input type="checkbox" checked={!excluded.has(item.ref)} aria-label={`Rotate ${item.key} in ${item.environment}`} onChange={() => onToggle(item.ref)} /> : null}
              </td>
              <td>
                {item.project}/{item.environment}
              </td>
              <td className="mono">{item.key}</td>
              <td className={item.rotatable ? undefined : 'muted'}>{item.rotatable ? <HowItRotates item={item} /> : `Skipped: ${item.reason ?? ''}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
