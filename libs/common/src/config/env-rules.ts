/** A MongoDB URI that names its database in the path (docs/operations.md). */
export const MONGO_URI_PATTERN = /^mongodb(\+srv)?:\/\/[^/]+\/[A-Za-z0-9_-]+(\?.*)?$/;

export function mongoUriMessage(variable: string): string {
  return `${variable} must be a mongodb:// URI with the database name in its path`;
}

/** class-transformer @Transform: "a, b,c" → ["a", "b", "c"]. */
export const splitCommaList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0)
    : value;
