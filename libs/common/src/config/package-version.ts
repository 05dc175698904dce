// eslint-disable-next-line no-restricted-imports -- the repository's version, not another package
import { version } from '../../../../package.json';

/** The root package version, reported in X-Service-Version and the OpenAPI documents. */
export const PACKAGE_VERSION: string = version;
