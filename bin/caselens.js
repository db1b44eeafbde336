#!/usr/bin/env node
// Runs the TypeScript CLI in this same process (tsx registers a loader), so there is no build
// step and signals reach the process doing the work.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
