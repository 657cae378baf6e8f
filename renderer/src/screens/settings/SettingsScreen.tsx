import { useEffect, useState } from 'react';
import type { ResultOf } from '../../../../shared/ipc/contract';
import { api, messageOf } from '../../api';
import { useUi, type ThemeChoice } from '../../stores/ui.store';
import { REVEAL_SECONDS } from '../secrets/useReveal';
import { LockSettings } from './LockSettings';

const THEMES: { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'Follow the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export function SettingsScreen() {
  const theme = useUi((state) => state.theme);
  const setTheme = useUi((state) => state.setTheme);
  const [info, setInfo] = useState<ResultOf<'app', 'info'> | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    api.app.info({})
      .then(setInfo)
      .catch((caught: unknown) => setError(messageOf(caught)));
  }, []);
  return (
    <section className="screen settings" aria-label="Settings">
      <header className="screen-header">
        <h1>Settings</h1>
      </header>
      <div className="card">
        <h2>Appearance</h2>
        <div className="segmented" role="radiogroup" aria-label="Theme">
          {THEMES.map((option) => (
            <button key={option.value} type="button" role="radio" aria-checked={theme === option.value} className={theme === option.value ? 'active' : undefined} onClick={() => setTheme(option.value)}>
              {option.label}
            </button>
          ))}
        </div>
      </div>
      <div className="card">
        <h2>Safety</h2>
        <ul className="facts">
          <li>A revealed value hides itself after {REVEAL_SECONDS} seconds.</li>
          <li>Copy puts a value on the clipboard from the main process; it is cleared after 30 seconds, when Latchkey locks and when it quits.</li>
          <li>Local secrets are encrypted with AES-256-GCM; the key is kept in your OS keychain.</li>
        </ul>
      </div>
      <LockSettings />
      <div className="card">
        <h2>Where your data lives</h2>
        {error !== undefined ? <p className="form-error">{error}</p> : null}
        {info === undefined ? null : (
          <dl className="facts-grid">
            <dt>Encrypted secrets, audit log</dt>
            <dd className="mono">{info.stateDir}</dd>
            <dt>Projects and connections</dt>
            <dd className="mono">{info.configDir}</dd>
            <dt>Version</dt>
            <dd>
              {info.version} ({info.platform})
            </dd>
          </dl>
        )}
      </div>
    </section>
  );
}
