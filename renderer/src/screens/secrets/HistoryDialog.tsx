import { useCallback, useEffect, useState } from 'react';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import type { SecretVersion } from '../../../../shared/ipc/secrets.contract';
import { api, messageOf } from '../../api';
import { confirm } from '../../components/confirm.store';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { fullTime, timeAgo } from '../../format';
import { useToasts } from '../../stores/toasts.store';
import { FormError } from '../../components/FormError';

/**
 * The versions a backend keeps of one secret (times, states and labels; never values), with Restore on
 * an older version and Roll back to the previous one. Both make an earlier value current again: AWS by
 * moving its labels, other backends by writing that value as a new version. Both are audited.
 */
export function HistoryDialog(props: { project: string; environment: EnvironmentView; secretKey: string; onClose(changed: boolean): void }) {
  const { project, environment, secretKey } = props;
  const [versions, setVersions] = useState<SecretVersion[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [changed, setChanged] = useState(false);
  const toast = useToasts((state) => state.show);

  const load = useCallback(() => {
    api.secrets.history({ project, environment: environment.name, key: secretKey })
      .then((result) => setVersions(result.versions))
      .catch((caught: unknown) => setError(messageOf(caught)));
  }, [project, environment.name, secretKey]);
  useEffect(load, [load]);

  const where = { project, environment: environment.name, key: secretKey, confirmed: environment.protected ? true : undefined };
  const run = async (what: string, body: string, action: () => Promise<{ version?: string | undefined; restoredFrom?: string | undefined }>) => {
    const yes = await confirm({
      title: what,
      body,
      confirmLabel: what,
      tone: 'danger',
      ...(environment.protected ? { typeToConfirm: environment.name } : {}),
    });
    if (!yes) return;
    setBusy(true);
    setError(undefined);
    try {
      const done = await action();
      toast('success', `${secretKey}: the value of version ${done.restoredFrom ?? '?'} is current${done.version === undefined || done.version === done.restoredFrom ? '' : ` (as version ${done.version})`}.`);
      setChanged(true);
      load();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const restore = (version: SecretVersion) =>
    run(`Restore version ${version.version}`, `The value of version ${version.version} of ${secretKey} becomes current again in ${project}/${environment.name}. The value it replaces stays in the history.`, () =>
      api.rotation.restore({ ...where, version: version.version }),
    );
  const rollback = () =>
    run('Roll back', `The previous value of ${secretKey} becomes current again in ${project}/${environment.name} (for example after a rotation that broke something).`, () => api.rotation.rollback(where));

  const hasEarlier = versions?.some((version) => !version.current && version.state === 'enabled') === true;
  return (
    <Dialog
      title={`History of ${secretKey}`}
      onClose={() => props.onClose(changed)}
      width="wide"
      footer={
        <>
          <button type="button" className="btn" disabled={busy || !hasEarlier} onClick={() => void rollback()}>
            <Icon name="undo" /> Roll back to the previous value
          </button>
          <span className="spacer" />
          <button type="button" className="btn" onClick={() => props.onClose(changed)}>
            Close
          </button>
        </>
      }
    >
      <FormError error={error} />
      {versions === undefined && error === undefined ? <p className="muted">Loading…</p> : null}
      {versions !== undefined && versions.length === 0 ? <p className="muted">This backend keeps no versions of {secretKey}.</p> : null}
      {versions === undefined ? null : (
        <ol className="history" aria-label="Versions">
          {versions.map((version) => (
            <li key={version.version} data-version={version.version}>
              <span className="mono">v{version.version.length > 10 ? `${version.version.slice(0, 8)}…` : version.version}</span>
              <span title={fullTime(version.createdAt)}>
                {timeAgo(version.createdAt)}
                {version.stages === undefined || version.stages.length === 0 ? null : <span className="muted stages"> {version.stages.join(', ')}</span>}
              </span>
              {version.current ? (
                <span className="badge">current</span>
              ) : version.state === 'enabled' ? (
                <button type="button" className="btn btn-small" disabled={busy} aria-label={`Restore version ${version.version}`} onClick={() => void restore(version)}>
                  Restore
                </button>
              ) : (
                <span className="badge muted">{version.state}</span>
              )}
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}
