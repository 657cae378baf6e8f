import type { Core } from '../../core';
import type { Handlers } from '../ipc/router';

export function appHandlers(deps: { core: Core; version: string; platform: string }): Handlers['app'] {
  return {
    info: async () => ({
      version: deps.version,
      platform: deps.platform,
      stateDir: deps.core.paths.stateDir,
      configDir: deps.core.paths.configDir,
    }),
  };
}
