/**
 * The collaborators the engine's stages share (repositories, flows, commands, the answerer, settings),
 * built once by createEngine. Stages and built-in handlers take the kit instead of importing each other.
 */
import type { ChatRepo, HandoffRepo, TranscriptRepo } from '../db/index.ts';
import type { Answerer } from '../knowledge/index.ts';
import type { FlowRegistry } from './flows.ts';
import type { PayloadSigner } from './payloads.ts';
import type { EngineLogger } from './pipeline.ts';
import type { CommandHandler } from './types.ts';

export interface EngineSettings {
  ratePerMinute: number;
  maxMessageChars: number;
  /** Abstained answers in a row that open a handoff. */
  abstentionsBeforeHandoff: number;
  /** Earlier question/answer pairs passed to the answerer for follow-ups. */
  historyTurns: number;
}

export interface EngineKit {
  chat: ChatRepo;
  transcripts: TranscriptRepo;
  handoffs: HandoffRepo;
  flows: FlowRegistry;
  commands: Map<string, CommandHandler>;
  answerer: Answerer;
  signer: PayloadSigner;
  settings: EngineSettings;
  log: EngineLogger;
}
