/** The HTTP server and its routers. */
export { createHttpApp, startHttpServer } from './server.ts';
export type { RunningServer } from './server.ts';
export { errorHandler, notFound, zodToAppError } from './errors.ts';
