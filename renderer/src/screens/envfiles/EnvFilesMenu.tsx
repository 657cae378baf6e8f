import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import { api, messageOf } from '../../api';
import { Icon } from '../../components/Icon';
import { plural } from '../../format';
import { useToasts } from '../../stores/toasts.store';
import { ImportDotenvDialog } from './ImportDotenvDialog';
import { MyceliumDialog } from './MyceliumDialog';

type Open = { kind: 'dotenv' | 'mycelium'; fileId: string; path: string } | undefined;

/**
 * .env export and import, Mycelium import, for the open environment. Main shows the file dialog and
 * reads or writes the file; the app sees names, counts and the path.
 */
export function EnvFilesMenu({ project, environment, onChanged }: { project: string; environment: EnvironmentView; onChanged(): void }) {
  const [menu, setMenu] = useState(false);
  const [open, setOpen] = useState<Open>(undefined);
  const toast = useToasts((state) => state.show);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  // A click outside closes the menu.
  useEffect(() => {
    if (!menu) return;
    const close = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setMenu(false);
    };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [menu]);

  // The menu takes the focus when it opens, however it was opened (click, Enter, Space, ↓).
  useEffect(() => {
    if (menu) root.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus();
  }, [menu]);

  /** Closes the menu and gives the focus back to its button (which a dialog opened from it returns to). */
  const closeMenu = () => {
    setMenu(false);
    button.current?.focus();
  };
  const onMenuKey = (event: ReactKeyboardEvent<HTMLDivElement>) => {
    const items = [...(root.current?.querySelectorAll<HTMLElement>('[role=menuitem]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 }[event.key];
    if (to !== undefined) {
      event.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      closeMenu();
    } else if (event.key === 'Tab') {
      setMenu(false);
    }
  };

  const exportDotenv = async () => {
    closeMenu();
    try {
      const written = await api.envfiles.exportDotenv({ project, environment: environment.name });
      if (!written.cancelled) toast('success', `Wrote ${plural(written.count ?? 0, 'secret')} to ${written.path ?? ''} (readable by you only). Do not commit it.`);
    } catch (error) {
      toast('error', messageOf(error));
    }
  };
  const choose = async (kind: 'dotenv' | 'mycelium') => {
    closeMenu();
    try {
      const chosen = await api.envfiles.chooseFile({ purpose: kind, project });
      if (!chosen.cancelled && chosen.fileId !== undefined) setOpen({ kind, fileId: chosen.fileId, path: chosen.path ?? '' });
    } catch (error) {
      toast('error', messageOf(error));
    }
  };
  const close = (changed: boolean) => {
    setOpen(undefined);
    if (changed) onChanged();
  };

  return (
    <div className="menu-anchor" ref={root}>
      <button
        ref={button}
        type="button"
        className="btn"
        aria-haspopup="menu"
        aria-expanded={menu}
        aria-controls={menu ? 'envfiles-menu' : undefined}
        onClick={() => setMenu(!menu)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && !menu) {
            event.preventDefault();
            setMenu(true);
          }
        }}
      >
        <Icon name="file" /> .env
      </button>
      {menu ? (
        <div className="menu" role="menu" id="envfiles-menu" aria-label=".env files" onKeyDown={onMenuKey}>
          <button type="button" role="menuitem" tabIndex={-1} onClick={() => void exportDotenv()}>
            <Icon name="download" /> Export .env file…
          </button>
          <button type="button" role="menuitem" tabIndex={-1} onClick={() => void choose('dotenv')}>
            <Icon name="upload" /> Import .env file…
          </button>
          <button type="button" role="menuitem" tabIndex={-1} onClick={() => void choose('mycelium')}>
            <Icon name="upload" /> Import from Mycelium…
          </button>
        </div>
      ) : null}
      {open?.kind === 'dotenv' ? <ImportDotenvDialog project={project} environment={environment} fileId={open.fileId} path={open.path} onDone={close} /> : null}
      {open?.kind === 'mycelium' ? <MyceliumDialog project={project} environment={environment} fileId={open.fileId} path={open.path} onDone={close} /> : null}
    </div>
  );
}
