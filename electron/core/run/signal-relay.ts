import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';

/**
 * Signals sent to `latchkey run` go to the program it runs. While the program starts (secrets are
 * being read) they stop the start instead; once it runs, they are forwarded to it, and Latchkey waits
 * for it to exit — whatever the program does with them is what happens.
 *
 * One exception, as in `doppler run`: Ctrl-C and Ctrl-\ in a terminal already reach the program,
 * because the terminal sends them to its whole foreground process group, Latchkey and the program
 * alike. Forwarding them again would make the program see two — and many programs read a second
 * Ctrl-C as "stop now, skip the clean-up". So SIGINT and SIGQUIT are forwarded only when Latchkey is
 * not in the terminal's foreground group (a script, a service manager, `kill` from elsewhere).
 */
export const RELAYED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const;
export type RelayedSignal = (typeof RELAYED_SIGNALS)[number];

/** Signals a terminal sends to its whole foreground process group from the keyboard. */
const KEYBOARD_SIGNALS = new Set<RelayedSignal>(['SIGINT', 'SIGQUIT']);

export interface SignalSource {
  on(signal: RelayedSignal, listener: () => void): unknown;
  off(signal: RelayedSignal, listener: () => void): unknown;
}

export interface SignalRelay {
  /** Where signals go now: the start-up's abort, then the running program. */
  route(handler: (signal: RelayedSignal) => void): void;
  /** Whether a signal of this kind from a terminal has already reached the program. */
  reachedProgram(signal: RelayedSignal): boolean;
  stop(): void;
}

export function startSignalRelay(source: SignalSource, inForeground: () => boolean = inTerminalForeground): SignalRelay {
  let handler: (signal: RelayedSignal) => void = () => undefined;
  const listeners = RELAYED_SIGNALS.map((signal) => {
    const listener = () => handler(signal);
    source.on(signal, listener);
    return { signal, listener };
  });
  return {
    route(next) {
      handler = next;
    },
    reachedProgram: (signal) => KEYBOARD_SIGNALS.has(signal) && inForeground(),
    stop() {
      for (const { signal, listener } of listeners) source.off(signal, listener);
    },
  };
}

/**
 * Whether this process is in the foreground process group of its controlling terminal. Linux says so
 * exactly in /proc/self/stat (tty_nr, and tpgid equal to pgrp); elsewhere a terminal on one of the
 * standard streams is the best sign there is.
 */
export function inTerminalForeground(readStat: () => string = () => readFileSync('/proc/self/stat', 'utf8')): boolean {
  if (process.platform === 'linux') {
    try {
      const stat = readStat();
      // Fields after the command name, which is in parentheses and may itself hold spaces or ")".
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [, , pgrp, , ttyNr, tpgid] = fields;
      return Number(ttyNr) !== 0 && Number(tpgid) === Number(pgrp);
    } catch {
      // Fall through to the portable guess.
    }
  }
  return isatty(0) || isatty(1) || isatty(2);
}
