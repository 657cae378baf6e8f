import { useEffect } from 'react';
import { useUi } from '../stores/ui.store';
import { Dialog } from './Dialog';

/** The keyboard shortcuts, listed where they can be found: "?" anywhere, or the keyboard button in the sidebar. */
export const SHORTCUTS: { keys: string[]; what: string; where: string }[] = [
  { keys: ['/'], what: 'Search', where: 'Secrets, Sessions' },
  { keys: ['n'], what: 'New secret', where: 'Secrets' },
  { keys: ['←', '→', 'Home', 'End'], what: 'Move between environments', where: 'Environment tabs' },
  { keys: ['↑', '↓'], what: 'Move through a menu', where: '.env menu' },
  { keys: ['Esc'], what: 'Close a dialog or menu (focus goes back to what opened it), clear the search', where: 'Everywhere' },
  { keys: ['?'], what: 'This list', where: 'Everywhere' },
];

const typing = (target: EventTarget | null) => target instanceof HTMLElement && (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.isContentEditable);

export function ShortcutsHelp() {
  const open = useUi((state) => state.shortcutsOpen);
  const showShortcuts = useUi((state) => state.showShortcuts);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '?' || typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (document.querySelector('dialog[open]') !== null) return;
      event.preventDefault();
      showShortcuts(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [showShortcuts]);

  if (!open) return null;
  return (
    <Dialog
      title="Keyboard shortcuts"
      onClose={() => showShortcuts(false)}
      width="wide"
      footer={
        <button type="button" className="btn btn-primary" data-autofocus onClick={() => showShortcuts(false)}>
          Close
        </button>
      }
    >
      <table className="data-table shortcuts" aria-label="Keyboard shortcuts">
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Does</th>
            <th scope="col">Where</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.what}>
              <td className="shortcut-keys">
                {shortcut.keys.map((key) => (
                  <kbd key={key}>{key}</kbd>
                ))}
              </td>
              <td>{shortcut.what}</td>
              <td className="muted">{shortcut.where}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">Single-key shortcuts work when no text field has the focus.</p>
    </Dialog>
  );
}
