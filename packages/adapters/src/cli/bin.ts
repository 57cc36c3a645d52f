#!/usr/bin/env node
// The `crm-sync` command (see ./crmSync.ts).
import { runCrmSync } from './crmSync.js';

process.exitCode = await runCrmSync(process.argv.slice(2));
