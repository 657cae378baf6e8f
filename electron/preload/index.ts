import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildApi } from './api';

// SECURITY: the page gets only the typed calls of the contract (through contextBridge, so it cannot
// reach ipcRenderer or Node); the IPC event object, which exposes the sender, is never passed on.
contextBridge.exposeInMainWorld(
  'latchkey',
  buildApi(
    (channel, request) => ipcRenderer.invoke(channel, request),
    (channel, listener) => {
      const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(channel, forward);
      return () => {
        ipcRenderer.removeListener(channel, forward);
      };
    },
  ),
);
