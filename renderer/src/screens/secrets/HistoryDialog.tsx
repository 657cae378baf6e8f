import { useEffect, useState } from 'react';
import type { SecretVersion } from '../../../../shared/ipc/secrets.contract';
import { api, call, messageOf } from '../../api';
import { Dialog } from '../../components/Dialog';
import { fullTime, timeAgo } from '../../format';

/** The versions a backend keeps of one secret (times and states; no values). */
export function HistoryDialog(props: { project: string; environment: string; secretKey: string; onClose(): void }) {
  const { project, environment, secretKey } = props;
  const [versions, setVersions] = useState<SecretVersion[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    call(api.secrets.history({ project, environment, key: secretKey }))
      .then((result) => setVersions(result.versions))
      .catch((caught: unknown) => setError(messageOf(caught)));
  }, [project, environment, secretKey]);
  return (
    <Dialog
      title={`History of ${secretKey}`}
      onClose={props.onClose}
      footer={
        <button type="button" className="btn" onClick={props.onClose}>
          Close
        </button>
      }
    >
      {error !== undefined ? <p className="form-error">{error}</p> : null}
      {versions === undefined && error === undefined ? <p className="muted">Loading…</p> : null}
      {versions === undefined ? null : (
        <ol className="history">
          {versions.map((version) => (
            <li key={version.version}>
              <span className="mono">v{version.version}</span>
              <span title={fullTime(version.createdAt)}>{timeAgo(version.createdAt)}</span>
              {version.current ? <span className="badge">current</span> : <span className="badge muted">{version.state}</span>}
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}
