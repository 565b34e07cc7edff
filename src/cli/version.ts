/** Replaced at bundle time; the source build reads package.json's version through the same constant. */
declare const __IPATH_VERSION__: string | undefined;
export const VERSION: string = typeof __IPATH_VERSION__ === 'string' ? __IPATH_VERSION__ : '0.0.0-dev';
