/** The repositories (SQL per feature area); db/index.ts re-exports them. */
export * from './chat.ts';
export * from './transcripts.ts';
export * from './handoffs.ts';
