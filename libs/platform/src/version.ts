import { version } from '../../../package.json';

/** The package version, sent as `User-Agent: postmand/<version>` and shown by the CLI. */
export const POSTMAND_VERSION: string = version;
