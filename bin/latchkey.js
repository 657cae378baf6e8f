#!/usr/bin/env node
// The `latchkey` command. It runs the CLI bundle built by `npm run build` (done by `npm install`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write("latchkey: the CLI is not built yet. Run 'npm run build' in " + join(__dirname, '..') + '\n');
  process.exit(1);
}
require(cli);
