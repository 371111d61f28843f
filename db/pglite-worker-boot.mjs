// Entry point of the embedded database's worker thread (db/pglite-worker.ts starts it). Node 20 does not
// carry module hooks into worker threads, so the TypeScript loader is registered here, in this thread,
// before the host is imported. Plain JavaScript because nothing can load TypeScript before this runs.
import { register } from 'tsx/esm/api';

register();
await import('./pglite-worker-host.ts');
