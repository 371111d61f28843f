/**
 * The dialogue engine's public surface: channel-neutral message types, the engine, flows and the
 * channel adapters' shared contract. Adapters live in bot/channels/<name>/ with their own index.ts.
 */
export type * from './types.ts';
export { createEngine, createMemoryRateCounter } from './engine.ts';
export type { BotEngine, EngineOptions, RateCounter } from './engine.ts';
export { compose, KeyedLock, silentLogger } from './pipeline.ts';
export type { EngineLogger, FlowChange, Middleware, Turn } from './pipeline.ts';
export { FlowRegistry } from './flows.ts';
export type { AnyFlow } from './flows.ts';
export { HandoffService } from './handoff.ts';
export { SenderRegistry } from './senders.ts';
export type { DeliveryResult, DeliveryTarget } from './senders.ts';
export { MAX_PAYLOAD_BYTES, PayloadSigner } from './payloads.ts';
export { buttonLabels, citationLine, commandButton, formatCitations, formatMessage, formatText, plainStyle, plainText, rows } from './render.ts';
export type { TextStyle } from './render.ts';
export { parseCommand } from './router.ts';
export { storableMessage, storableText } from './storable.ts';
export { texts } from './texts.ts';
