#!/usr/bin/env node
// Development entry: same as run.js, but oclif reports in development mode (stack traces, no manifest cache).
import { execute } from '@oclif/core/execute';

await execute({ development: true, dir: import.meta.url });
