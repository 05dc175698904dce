import { join } from 'node:path';

/** The checkout this harness belongs to (harness/ sits at its root). */
export const REPOSITORY_ROOT = join(__dirname, '..');
