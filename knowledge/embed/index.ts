/**
 * Embedders behind one interface: the local hashed n-gram embedder (default, offline) and any
 * OpenAI-compatible server. `createEmbedder` maps the typed config to one of them.
 */
import type { Embedder } from '../types.ts';
import { LocalEmbedder, type LocalEmbedderOptions } from './local.ts';
import { OpenAiEmbedder } from './openai.ts';

export { FeatureMemo, LocalEmbedder, LOCAL_EMBEDDER_DEFAULTS, fitIdf } from './local.ts';
export type { LocalEmbedderOptions } from './local.ts';
export { OpenAiEmbedder } from './openai.ts';
export type { OpenAiEmbedderOptions } from './openai.ts';

export type EmbedderConfig =
  | { kind: 'local'; dimensions?: number }
  | { kind: 'openai'; baseURL: string; apiKey: string; model: string; dimensions?: number };

export async function createEmbedder(config: EmbedderConfig, local: Omit<LocalEmbedderOptions, 'dimensions'> = {}): Promise<Embedder> {
  if (config.kind === 'openai') return OpenAiEmbedder.create(config);
  return new LocalEmbedder({ ...local, dimensions: config.dimensions });
}
