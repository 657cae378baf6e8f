import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { Router } from './router';
import type { SenderInfo } from './sender-policy';

/** What the router needs to know about who sent an Electron IPC message. */
export function senderOf(event: IpcMainInvokeEvent): SenderInfo {
  const frame = event.senderFrame;
  return {
    url: frame?.url ?? '',
    isMainFrame: frame !== null && frame !== undefined && frame.parent === null,
    webContentsId: event.sender.id,
  };
}

/** Registers one ipcMain handler per contract entry, all going through the router. */
export function registerRouter(router: Router): void {
  for (const channel of router.channels) {
    ipcMain.handle(channel, (event, payload: unknown) => router.handle(channel, senderOf(event), payload));
  }
}
