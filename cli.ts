#!/usr/bin/env node
// The `semantic-release-github-app` bin: wiring only. The commands: lib/cli/main.ts; README "Command line".
import { createCliIO } from "./lib/cli/io.js";
import { main } from "./lib/cli/main.js";

process.exitCode = await main({ argv: process.argv.slice(2), io: createCliIO() });
