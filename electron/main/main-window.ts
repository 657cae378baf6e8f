import { BrowserWindow } from 'electron';
import { MIN_WINDOW } from '../../shared/window-size';
import { secureWebPreferences } from './security';

/** The one window of the app. It is shown once its first paint is ready (no white flash). */
export function createMainWindow(options: { preload: string; url: string }): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: MIN_WINDOW.width,
    minHeight: MIN_WINDOW.height,
    show: false,
    title: 'Latchkey',
    backgroundColor: '#0b1220',
    webPreferences: secureWebPreferences(options.preload),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.url);
  return window;
}
