import { Command, type ErrorOptions } from 'commander';

/**
 * The CLI's commander Command, whose own usage errors never echo an option's value. Commander quotes
 * what was typed — `unknown option '--valu=Hunter2'`, `option '--hours <n>' argument 'Hunter2' is
 * invalid` — and an option's value may be a secret typed into the wrong option; the option's name is
 * enough to see what went wrong. Every subcommand is one of these too (createCommand).
 */
export class LatchkeyCommand extends Command {
  override createCommand(name?: string): LatchkeyCommand {
    return new LatchkeyCommand(name);
  }

  override error(message: string, errorOptions?: ErrorOptions): never {
    return super.error(withoutOptionValue(message, errorOptions?.code), errorOptions);
  }
}

const UNKNOWN_OPTION = "error: unknown option '";
/** Commander's "(Did you mean --value?)" after an unknown option: names only options that exist. */
const SUGGESTION = /\n\(Did you mean [^\n']*\?\)$/;
const INVALID_OPTION_VALUE = /^(error: option '[^']*' argument )'/;
const INVALID_TAIL = "' is invalid.";

/** `message` with the value of the option it is about left out; other messages as they are. */
export function withoutOptionValue(message: string, code: string | undefined): string {
  if (code === 'commander.unknownOption' && message.startsWith(UNKNOWN_OPTION)) {
    const suggestion = SUGGESTION.exec(message)?.[0] ?? '';
    const flag = message.slice(UNKNOWN_OPTION.length, message.length - suggestion.length - 1);
    // `--name=value` → `--name`; `-xvalue` (a short option with its value attached) → `-x`.
    const name = flag.startsWith('--') ? flag.split('=')[0]! : flag.slice(0, 2);
    return `${UNKNOWN_OPTION}${name}'${suggestion}`;
  }
  const invalid = INVALID_OPTION_VALUE.exec(message);
  if (code === 'commander.invalidArgument' && invalid !== null) {
    // The value is what the person typed, so it may hold anything (quotes too): cut up to the last tail.
    const tailAt = message.lastIndexOf(INVALID_TAIL);
    if (tailAt >= invalid[0].length) return `${invalid[1]!}is invalid.${message.slice(tailAt + INVALID_TAIL.length)}`;
  }
  return message;
}
