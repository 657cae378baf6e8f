import { api } from '../api';
import { reportUncaughtCallErrors } from '../client';
import { useLock } from './lock.store';
import { useProjects } from './projects.store';
import { useSchedule } from './schedule.store';
import { useToasts } from './toasts.store';
import { useUi } from './ui.store';

/**
 * The app's start-up and its answers to main, as actions over the stores: App calls `followMain()`
 * and `startUp()` once and renders what the stores hold.
 */

/** Lock status first; while locked nothing else is asked (main would refuse it). */
export async function startUp(): Promise<void> {
  try {
    await useLock.getState().load();
  } catch {
    // Without the lock status, the projects' own error (and its Retry) says what is wrong.
  }
  if (!useLock.getState().locked) await openProjects();
}

/** Projects, then the rotation schedule of the one that is open (read again: it may have changed while locked). */
export async function openProjects(): Promise<void> {
  const before = useProjects.getState().selectedProject;
  await useProjects.getState().load();
  const project = useProjects.getState().selectedProject;
  // A different project open now has its schedule loaded by the subscription in followMain.
  if (project !== undefined && project === before) await useSchedule.getState().load(project);
}

/**
 * Subscribes to what main and the page announce: the lock (hide every value at once; on unlock read
 * everything again), a cleared clipboard, the window being hidden, a call failure no one caught; and
 * keeps the open project's schedule and the page's theme in step with the stores. Returns the
 * unsubscribe function.
 */
export function followMain(): () => void {
  const toast = useToasts.getState().show;
  const stops = [
    api.events.on('lock.changed', (event) => {
      if (event.locked) useUi.getState().hideAllRevealed();
      useLock.getState().apply(event);
      if (!event.locked) void startUp();
    }),
    api.events.on('clipboard.cleared', ({ reason }) => {
      if (reason === 'timeout') toast('info', 'The clipboard was cleared.');
    }),
    reportUncaughtCallErrors(window, (message) => toast('error', message)),
    useProjects.subscribe((state, previous) => {
      if (state.selectedProject !== previous.selectedProject && state.selectedProject !== undefined && !useLock.getState().locked) {
        void useSchedule.getState().load(state.selectedProject);
      }
    }),
    followTheme(),
    hideWhenHidden(),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}

function followTheme(): () => void {
  document.documentElement.dataset.theme = useUi.getState().theme;
  return useUi.subscribe((state, previous) => {
    if (state.theme !== previous.theme) document.documentElement.dataset.theme = state.theme;
  });
}

/** Revealed values do not stay on screen while the window is hidden. */
function hideWhenHidden(): () => void {
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') useUi.getState().hideAllRevealed();
  };
  document.addEventListener('visibilitychange', onVisibility);
  return () => document.removeEventListener('visibilitychange', onVisibility);
}
