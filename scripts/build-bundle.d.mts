/** Types of build-bundle.mjs (plain JavaScript: bin/openimm.js runs it before any TypeScript loader). */
export declare const DIST: string;
export declare const BUNDLE_MAIN: string;
export declare function bundleIsFresh(outDir?: string): Promise<boolean>;
export declare function buildBundle(outDir?: string): Promise<void>;
export declare function ensureBundle(): Promise<boolean>;
