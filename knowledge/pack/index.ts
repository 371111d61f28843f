/** Policy packs: loading and the shared schema pieces (clause references, regions, industries). */
export { loadPack, DEFAULT_PACKS_DIR } from './load.ts';
export type { Pack } from './load.ts';
export * from './schema.ts';
