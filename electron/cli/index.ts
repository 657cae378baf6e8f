import { processIo } from './io';
import { runCli } from './program';

// The AWS SDK warns on stderr, once per process, that its future releases will need Node 22. Latchkey
// supports Node >= 20.19 (package.json engines), so for a person or a script reading latchkey's stderr
// it is noise about a dependency; it can be turned back on by setting the variable to "false".
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
