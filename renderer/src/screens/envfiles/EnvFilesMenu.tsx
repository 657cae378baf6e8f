import { useEffect, useRef, useState } from 'react';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import { api, messageOf } from '../../api';
import { Icon } from '../../components/Icon';
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

  useEffect(() => {
    if (!menu) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !root.current?.contains(event.target as Node)) setMenu(false);
    };
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', close);
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', close);
    };
  }, [menu]);

  const exportDotenv = async () => {
    setMenu(false);
    try {
      const written = await api.envfiles.exportDotenv({ project, environment: environment.name });
      if (!written.cancelled) toast('success', `Wrote ${written.count ?? 0} secret(s) to ${written.path ?? ''} (readable by you only). Do not commit it.`);
    } catch (error) {
      toast('error', messageOf(error));
    }
  };
  const choose = async (kind: 'dotenv' | 'mycelium') => {
    setMenu(false);
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
      <button type="button" className="btn" aria-haspopup="menu" aria-expanded={menu} onClick={() => setMenu(!menu)}>
        <Icon name="file" /> .env
      </button>
      {menu ? (
        <div className="menu" role="menu">
          <button type="button" role="menuitem" onClick={() => void exportDotenv()}>
            <Icon name="download" /> Export .env file…
          </button>
          <button type="button" role="menuitem" onClick={() => void choose('dotenv')}>
            <Icon name="upload" /> Import .env file…
          </button>
          <button type="button" role="menuitem" onClick={() => void choose('mycelium')}>
            <Icon name="upload" /> Import from Mycelium…
          </button>
        </div>
      ) : null}
      {open?.kind === 'dotenv' ? <ImportDotenvDialog project={project} environment={environment} fileId={open.fileId} path={open.path} onDone={close} /> : null}
      {open?.kind === 'mycelium' ? <MyceliumDialog project={project} environment={environment} fileId={open.fileId} path={open.path} onDone={close} /> : null}
    </div>
  );
}
