#!/usr/bin/env node
// Hands argv to oclif; nothing else lives here.
import { execute } from '@oclif/core/execute';

await execute({ dir: import.meta.url });
