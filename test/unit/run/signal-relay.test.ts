import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { inTerminalForeground, startSignalRelay, type RelayedSignal } from '../../../electron/core/run/signal-relay';

describe('signals of latchkey run', () => {
  it('reads the foreground state from /proc/self/stat (tty_nr set and tpgid = pgrp), whatever the command name holds', () => {
    const stat = (comm: string, pgrp: number, tty: number, tpgid: number) => `4242 (${comm}) S 4000 ${pgrp} 4000 ${tty} ${tpgid} 4194304 100 0 0 0`;
    if (process.platform !== 'linux') return;
    expect(inTerminalForeground(() => stat('node', 4242, 34816, 4242))).toBe(true);
    expect(inTerminalForeground(() => stat('node', 4242, 34816, 4300))).toBe(false);
    expect(inTerminalForeground(() => stat('node', 4242, 0, -1))).toBe(false);
    expect(inTerminalForeground(() => stat('we ird) (name', 4242, 34816, 4242))).toBe(true);
  });

  it('routes every relayed signal to the current handler; keyboard signals count as delivered only in a terminal foreground', () => {
    const source = new EventEmitter();
    let foreground = false;
    const relay = startSignalRelay(
      { on: (signal, listener) => source.on(signal, listener), off: (signal, listener) => source.off(signal, listener) },
      () => foreground,
    );
    const seen: RelayedSignal[] = [];
    relay.route((signal) => seen.push(signal));
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2']) source.emit(signal);
    expect(seen).toEqual(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2']);
    expect(relay.reachedProgram('SIGINT')).toBe(false);
    foreground = true;
    expect([relay.reachedProgram('SIGINT'), relay.reachedProgram('SIGQUIT'), relay.reachedProgram('SIGTERM'), relay.reachedProgram('SIGHUP')]).toEqual([true, true, false, false]);
    relay.stop();
    expect(source.listenerCount('SIGINT')).toBe(0);
  });
});
