#!/usr/bin/env node
// forge's compiler, offline: the pinned npm solc (solcjs) behind solc's command-line interface as forge
// drives it. `--version` prints solc's version line (forge reads `Version: 0.8.28+commit...`); any other
// call (forge passes `--standard-json` and path flags) reads the standard-JSON input from stdin, compiles
// it and prints the standard-JSON output. forge inlines every source it resolved, so no import callback
// is needed; one that reads files under the current directory is given for completeness.
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require("solc");

if (process.argv.includes("--version")) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}

const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const input = Buffer.concat(chunks).toString("utf8");
  const findImports = (p) => {
    const file = path.resolve(process.cwd(), p);
    return fs.existsSync(file) ? { contents: fs.readFileSync(file, "utf8") } : { error: `not found: ${p}` };
  };
  process.stdout.write(solc.compile(input, { import: findImports }));
});
