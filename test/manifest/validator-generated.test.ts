import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_VALIDATOR_FILE, generateValidatorSource } from '../../src/manifest/generate-validator.js';

describe('generated schema validator', () => {
  it('is up to date with schema.ts', async () => {
    const fresh = await generateValidatorSource();
    if (process.env.UPDATE_EXPECTED === '1') writeFileSync(GENERATED_VALIDATOR_FILE, fresh);
    expect(readFileSync(GENERATED_VALIDATOR_FILE, 'utf8')).toBe(fresh);
  });
});
