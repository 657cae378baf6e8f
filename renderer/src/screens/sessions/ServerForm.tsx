import { useState, type FormEvent } from 'react';
import type { ServerTestResult, SessionServerView, SessionServerSettings } from '../../../../shared/ipc/sessions.contract';
import { api, messageOf } from '../../api';
import { Icon } from '../../components/Icon';
import { FormError } from '../../components/FormError';
import { FormActions } from '../../components/FormActions';

/**
 * A session server's settings: a single server by URL, a Sentinel-managed master, or a Cluster's seed
 * nodes; database, key prefix, ACL user, TLS files. Passwords are sent to main once, to go into the OS
 * keychain; they are never loaded back (the form only says whether one is stored).
 */
type Mode = NonNullable<SessionServerSettings['mode']>;

export function ServerForm({ editing, onSaved, onCancel }: { editing?: SessionServerView; onSaved(name: string): void; onCancel(): void }) {
  const initial = editing?.settings;
  const [name, setName] = useState(editing?.name ?? '');
  const [mode, setMode] = useState<Mode>(initial?.mode ?? 'standalone');
  const [url, setUrl] = useState(initial?.url ?? 'redis://127.0.0.1:6379');
  const [nodes, setNodes] = useState(formatNodes(initial?.nodes));
  const [masterName, setMasterName] = useState(initial?.sentinel?.masterName ?? '');
  const [sentinels, setSentinels] = useState(formatNodes(initial?.sentinel?.sentinels));
  const [sentinelUser, setSentinelUser] = useState(initial?.sentinel?.username ?? '');
  const [db, setDb] = useState(initial?.db === undefined ? '' : String(initial.db));
  const [prefix, setPrefix] = useState(initial?.prefix ?? 'session:');
  const [sampleAbove, setSampleAbove] = useState(initial?.sampleAboveKeys === undefined ? '' : String(initial.sampleAboveKeys));
  const [username, setUsername] = useState(initial?.username ?? '');
  const [password, setPassword] = useState('');
  const [forgetPassword, setForgetPassword] = useState(false);
  const [sentinelPassword, setSentinelPassword] = useState('');
  const [useTls, setUseTls] = useState(initial?.tls !== undefined);
  const [tls, setTls] = useState({ caFile: initial?.tls?.caFile ?? '', certFile: initial?.tls?.certFile ?? '', keyFile: initial?.tls?.keyFile ?? '', serverName: initial?.tls?.serverName ?? '' });
  const [error, setError] = useState<string | undefined>(undefined);
  const [tested, setTested] = useState<ServerTestResult | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const settings = (): SessionServerSettings => {
    // Fields this form does not show (timeouts) are kept as they were.
    const base: SessionServerSettings = { ...(initial?.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: initial.connectTimeoutMs }), ...(initial?.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: initial.commandTimeoutMs }), ...(initial?.maxReconnectAttempts === undefined ? {} : { maxReconnectAttempts: initial.maxReconnectAttempts }) };
    const tlsFields = Object.fromEntries(Object.entries(tls).filter(([, value]) => value.trim() !== '').map(([key, value]) => [key, value.trim()]));
    return {
      ...base,
      mode,
      ...(mode === 'standalone' ? { url: url.trim() } : {}),
      ...(mode === 'cluster' ? { nodes: parseNodes(nodes) } : {}),
      ...(mode === 'sentinel' ? { sentinel: { masterName: masterName.trim(), sentinels: parseNodes(sentinels), ...(sentinelUser.trim() === '' ? {} : { username: sentinelUser.trim() }) } } : {}),
      ...(db.trim() === '' || mode === 'cluster' ? {} : { db: Number(db) }),
      prefix,
      ...(sampleAbove.trim() === '' ? {} : { sampleAboveKeys: Number(sampleAbove.trim()) }),
      ...(username.trim() === '' ? {} : { username: username.trim() }),
      ...(useTls ? { tls: tlsFields } : {}),
    };
  };

  const test = async () => {
    setBusy(true);
    setError(undefined);
    setTested(undefined);
    try {
      setTested(
        await api.sessions.testServer({
          settings: settings(),
          ...(password === '' ? {} : { password }),
          ...(sentinelPassword === '' ? {} : { sentinelPassword }),
          ...(editing === undefined || forgetPassword ? {} : { storedPasswordsOf: editing.name }),
        }),
      );
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api.sessions.saveServer({
        name: name.trim(),
        ...(editing === undefined ? {} : { previousName: editing.name }),
        settings: settings(),
        ...(password !== '' ? { password } : forgetPassword ? { password: null } : {}),
        ...(mode !== 'sentinel' ? {} : sentinelPassword !== '' ? { sentinelPassword } : {}),
      });
      setPassword('');
      setSentinelPassword('');
      onSaved(saved.name);
    } catch (caught) {
      setError(messageOf(caught));
      setBusy(false);
    }
  };

  return (
    <form className="form connection-form" onSubmit={save} autoComplete="off" aria-label="Session server">
      <label className="field">
        <span>Name</span>
        <input value={name} onChange={(event) => setName(event.target.value)} placeholder="prod sessions" data-autofocus spellCheck={false} />
      </label>
      <div className="field">
        <span>Deployment</span>
        <div className="segmented" role="radiogroup" aria-label="Deployment">
          {(
            [
              ['standalone', 'Single server'],
              ['sentinel', 'Sentinel'],
              ['cluster', 'Cluster'],
            ] as const
          ).map(([value, label]) => (
            <button key={value} type="button" role="radio" aria-checked={mode === value} className={mode === value ? 'active' : undefined} onClick={() => setMode(value)}>
              {label}
            </button>
          ))}
        </div>
      </div>
      {mode === 'standalone' ? (
        <label className="field">
          <span>URL (redis://host:port, or rediss:// for TLS)</span>
          <input className="mono" value={url} onChange={(event) => setUrl(event.target.value)} spellCheck={false} />
        </label>
      ) : null}
      {mode === 'cluster' ? (
        <label className="field">
          <span>Seed nodes (host:port, one per line)</span>
          <textarea className="mono" value={nodes} onChange={(event) => setNodes(event.target.value)} placeholder={'10.0.0.1:7000\n10.0.0.2:7000'} spellCheck={false} />
        </label>
      ) : null}
      {mode === 'sentinel' ? (
        <>
          <div className="form-row">
            <label className="field">
              <span>Master name</span>
              <input value={masterName} onChange={(event) => setMasterName(event.target.value)} placeholder="mymaster" spellCheck={false} />
            </label>
            <label className="field">
              <span>Sentinel ACL user</span>
              <input value={sentinelUser} onChange={(event) => setSentinelUser(event.target.value)} spellCheck={false} />
            </label>
            <label className="field">
              <span>Sentinel password {editing?.hasSentinelPassword ? '(stored)' : ''}</span>
              <input className="concealed" value={sentinelPassword} onChange={(event) => setSentinelPassword(event.target.value)} placeholder={editing?.hasSentinelPassword ? 'Leave empty to keep' : ''} aria-label="Sentinel password" />
            </label>
          </div>
          <label className="field">
            <span>Sentinels (host:port, one per line)</span>
            <textarea className="mono" value={sentinels} onChange={(event) => setSentinels(event.target.value)} placeholder="10.0.0.5:26379" spellCheck={false} />
          </label>
        </>
      ) : null}
      <div className="form-row">
        {mode === 'cluster' ? null : (
          <label className="field narrow-field">
            <span>Database</span>
            <input type="number" min="0" max="1023" value={db} onChange={(event) => setDb(event.target.value)} placeholder="0" />
          </label>
        )}
        <label className="field">
          <span>Key prefix</span>
          <input className="mono" value={prefix} onChange={(event) => setPrefix(event.target.value)} spellCheck={false} />
        </label>
        <label className="field">
          <span>ACL user</span>
          <input value={username} onChange={(event) => setUsername(event.target.value)} placeholder="default" spellCheck={false} />
        </label>
        <label className="field">
          <span>Password {editing?.hasPassword ? '(stored in the keychain)' : '(kept in the keychain)'}</span>
          <input className="concealed" value={password} onChange={(event) => setPassword(event.target.value)} placeholder={editing?.hasPassword ? 'Leave empty to keep' : ''} aria-label="Password" disabled={forgetPassword} />
        </label>
      </div>
      <label className="field">
        <span>Dashboard: estimate above (keys)</span>
        <input type="number" min="0" step="1" value={sampleAbove} onChange={(event) => setSampleAbove(event.target.value)} placeholder="2000000" aria-describedby="sample-above-help" />
        <small id="sample-above-help" className="muted">Above this many keys the dashboard shows a sampled estimate first.</small>
      </label>
      {editing?.hasPassword ? (
        <label className="checkbox">
          <input type="checkbox" checked={forgetPassword} onChange={(event) => setForgetPassword(event.target.checked)} /> Remove the stored password
        </label>
      ) : null}
      <label className="checkbox">
        <input type="checkbox" checked={useTls} onChange={(event) => setUseTls(event.target.checked)} /> TLS (CA certificate, client certificate)
      </label>
      {useTls ? (
        <div className="form-row">
          {(
            [
              ['caFile', 'CA certificate file'],
              ['certFile', 'Client certificate file'],
              ['keyFile', 'Client key file'],
              ['serverName', 'Server name'],
            ] as const
          ).map(([field, label]) => (
            <label key={field} className="field">
              <span>{label}</span>
              <input className="mono" value={tls[field]} onChange={(event) => setTls({ ...tls, [field]: event.target.value })} spellCheck={false} />
            </label>
          ))}
        </div>
      ) : null}
      <FormError error={error} />
      {tested === undefined ? null : (
        <p className="hint" role="status">
          <Icon name="check" /> Connected to {tested.target}
          {tested.serverVersion === undefined ? '' : ` (Redis ${tested.serverVersion})`}: {tested.masters} master{tested.masters === 1 ? '' : 's'}, {tested.keys.toLocaleString()} keys
          {tested.sampleSessions > 0 ? ', sessions found under the prefix' : ', no session seen under the prefix yet'}.
        </p>
      )}
      <FormActions
        start={
          <button type="button" className="btn" disabled={busy} onClick={() => void test()}>
            Test connection
          </button>
        }
        onCancel={onCancel}
        submit={editing === undefined ? 'Add session server' : 'Save'}
        submitDisabled={busy || name.trim() === ''}
      />
    </form>
  );
}

function formatNodes(nodes: { host: string; port: number }[] | undefined): string {
  return (nodes ?? []).map((node) => `${node.host}:${node.port}`).join('\n');
}

/** "host:port" per line or comma; a line that does not parse is passed as port 0, which main rejects with a message. */
function parseNodes(text: string): { host: string; port: number }[] {
  return text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const at = line.lastIndexOf(':');
      return at <= 0 ? { host: line, port: 0 } : { host: line.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(line.slice(at + 1)) || 0 };
    });
}
