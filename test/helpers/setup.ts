// Runs before every test file. In CI the property tests' seed comes from the commit id too (see seed.ts), so a
// clean-clone run of a commit checks the same cases CI will; fast-check prints the seed of any failure.
import fc from 'fast-check';
import { testSeed } from './seed.js';

if (process.env['CI'] === 'true') fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: testSeed('fast-check') });
