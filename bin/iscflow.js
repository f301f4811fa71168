#!/usr/bin/env node
// Runs the TypeScript CLI directly (no build step): tsx compiles src/ on the fly.
require('tsx/cjs');
const { runCli } = require('../src/client.ts');
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
