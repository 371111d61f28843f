/**
 * The dialogue engine's public surface: channel-neutral message types, the engine, flows and the
 * channel adapters' shared contract. Adapters live in bot/channels/<name>/ with their own index.ts.
 */
export type * from './types.ts';
