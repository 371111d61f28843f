/** The HTTP server and its routers. */
export { createHttpApp, startHttpServer } from './server.ts';
export type { RunningServer } from './server.ts';
export { zodToAppError } from './chat.ts';
export { errorHandler, notFound } from './errors.ts';
