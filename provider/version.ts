import pkg from '../package.json' with { type: 'json' };

/** Hearth's version, from package.json (inlined by the build). */
export const HEARTH_VERSION: string = pkg.version;
