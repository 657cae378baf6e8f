import { describe, expect, it } from 'vitest';
import { INTERRUPTED_EXIT_CODE, listenForInterrupts } from '../../../electron/cli/interrupts';

function listen() {
  const exits: number[] = [];
  const written: string[] = [];
  const interrupts = listenForInterrupts({ stderr: { write: (text: string) => written.push(text) }, exit: (code) => exits.push(code) });
  return { interrupts, exits, written };
}

describe('Ctrl-C in the CLI', () => {
  it('ends the process (130) when nothing is running that stops cleanly', () => {
    const { interrupts, exits } = listen();
    try {
      process.emit('SIGINT');
      expect(exits).toEqual([INTERRUPTED_EXIT_CODE]);
    } finally {
      interrupts.dispose();
    }
  });

  it('cancels work run through cancellable instead of ending the process', async () => {
    const { interrupts, exits, written } = listen();
    try {
      const aborted = interrupts.cancellable(
        (signal) => new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(signal.aborted))),
        'stopping the test work.',
      );
      process.emit('SIGINT');
      expect(await aborted).toBe(true);
      expect(exits).toEqual([]);
      expect(written.join('')).toContain('stopping the test work.');
    } finally {
      interrupts.dispose();
    }
  });

  it('leaves Ctrl-C to work that handles it itself (latchkey run hands it to its program), then answers it again', async () => {
    const { interrupts, exits, written } = listen();
    try {
      await interrupts.handledBy(async () => {
        process.emit('SIGINT');
        await new Promise((resolve) => setImmediate(resolve));
      });
      expect(exits).toEqual([]);
      expect(written).toEqual([]);
      process.emit('SIGINT');
      expect(exits).toEqual([INTERRUPTED_EXIT_CODE]);
    } finally {
      interrupts.dispose();
    }
  });
});
