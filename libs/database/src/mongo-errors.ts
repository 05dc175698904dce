/** MongoDB's duplicate-key error code (E11000). */
export const DUPLICATE_KEY = 11000;

function isDuplicateKeyError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && 'code' in error && error.code === DUPLICATE_KEY
  );
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
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}
