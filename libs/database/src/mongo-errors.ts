/** MongoDB's duplicate-key error code (E11000). */
export const DUPLICATE_KEY = 11000;

/** The server's numeric error code of a failed command, if the error carries one. */
export function errorCode(error: unknown): number | undefined {
  return typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'number'
    ? error.code
    : undefined;
}

/**
 * Runs an insert that a unique key arbitrates: true when it went in, false when the key says the
 * document is already there (another writer came first). Other errors propagate.
 */
export async function insertUnlessDuplicate(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (error) {
    if (errorCode(error) === DUPLICATE_KEY) return false;
    throw error;
  }
}
