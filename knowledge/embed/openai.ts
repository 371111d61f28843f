/**
 * Embeddings from any OpenAI-compatible server (OpenAI, DashScope compatible mode, Ollama, vLLM) through
 * the `openai` package. Batched, `encoding_format: 'float'` (some servers default to base64 or reject it
 * unset), results re-ordered by index, failures surfaced as AppError('upstream') naming the server.
 */
import OpenAI from 'openai';
import { AppError } from '../../db/index.ts';
import type { Embedder } from '../types.ts';

export interface OpenAiEmbedderOptions {
  baseURL: string;
  apiKey: string;
  model: string;
  /** Requested output size; when unset it is discovered with one probe request. */
  dimensions?: number;
  batchSize?: number;
  timeoutMs?: number;
  maxRetries?: number;
}

export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  private readonly client: OpenAI;
  private readonly batchSize: number;

  private constructor(
    private readonly options: OpenAiEmbedderOptions,
    readonly dimensions: number,
  ) {
    this.client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey || 'none', timeout: options.timeoutMs ?? 30_000, maxRetries: options.maxRetries ?? 2 });
    this.batchSize = Math.max(1, options.batchSize ?? 64);
    let host = options.baseURL;
    try {
      host = new URL(options.baseURL).host;
    } catch {
      /* keep as given */
    }
    this.id = `openai:${options.model}:d${dimensions}@${host}`;
  }

  /** Creates the embedder; asks the server once for the dimension when the config does not say. */
  static async create(options: OpenAiEmbedderOptions): Promise<OpenAiEmbedder> {
    if (options.dimensions) return new OpenAiEmbedder(options, options.dimensions);
    const probe = new OpenAiEmbedder(options, 1);
    const [v] = await probe.request(['维度探测 dimension probe']);
    return new OpenAiEmbedder(options, v.length);
  }

  private async request(input: string[]): Promise<number[][]> {
    try {
      const res = await this.client.embeddings.create({
        model: this.options.model,
        input,
        encoding_format: 'float',
        ...(this.options.dimensions ? { dimensions: this.options.dimensions } : {}),
      });
      const out: number[][] = new Array(input.length);
      for (const d of res.data) out[d.index] = d.embedding as number[];
      if (out.some((v) => !Array.isArray(v))) throw new Error(`server returned ${res.data.length} embeddings for ${input.length} inputs`);
      return out;
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('upstream', `embedding server ${this.options.baseURL} (model ${this.options.model}) failed: ${(e as Error).message}`, {
        cause: e,
        userMessage: '向量服务暂时不可用，请稍后再试。',
      });
    }
  }

  async embed(texts: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      // Servers reject empty strings; a lone space embeds as "nothing" everywhere.
      const batch = texts.slice(i, i + this.batchSize).map((t) => (t.trim() ? t.slice(0, 8000) : ' '));
      const vectors = await this.request(batch);
      for (const v of vectors) {
        if (v.length !== this.dimensions)
          throw new AppError('upstream', `embedding server returned ${v.length} dimensions, expected ${this.dimensions}; set EMBEDDING_DIMENSIONS to match the model`);
        out.push(v);
      }
    }
    return out;
  }
}
