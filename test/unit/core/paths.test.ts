import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../../../electron/core/paths';

describe('data locations', () => {
  it('follows XDG on Linux, with the spec defaults', () => {
    expect(resolvePaths({}, 'linux', '/home/ada')).toEqual({ stateDir: '/home/ada/.local/state/latchkey', configDir: '/home/ada/.config/latchkey' });
    expect(resolvePaths({ XDG_STATE_HOME: '/s', XDG_CONFIG_HOME: '/c' }, 'linux', '/home/ada')).toEqual({ stateDir: '/s/latchkey', configDir: '/c/latchkey' });
  });

  it('ignores relative XDG values, as the spec requires', () => {
    expect(resolvePaths({ XDG_STATE_HOME: 'relative/state' }, 'linux', '/home/ada').stateDir).toBe('/home/ada/.local/state/latchkey');
  });

  it("uses the platform's application-data folders on macOS and Windows unless XDG is set", () => {
    expect(resolvePaths({}, 'darwin', '/Users/ada').stateDir).toBe('/Users/ada/Library/Application Support/Latchkey/state');
    expect(resolvePaths({ XDG_STATE_HOME: '/x' }, 'darwin', '/Users/ada').stateDir).toBe('/x/latchkey');
    expect(resolvePaths({ LOCALAPPDATA: 'C:\\L', APPDATA: 'C:\\R' }, 'win32', 'C:\\Users\\ada').configDir).toContain('Latchkey');
  });
});
