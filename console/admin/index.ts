/**
 * The admin console (/admin): server-rendered pages for knowledge curation, conversations and handoffs,
 * applications, progress, users and the audit log. Public surface: the router factory, the access
 * service (first admin, sessions) and the route table for tests.
 */
export { adminRouter, adminRoutes } from './router.ts';
export { createAdminAccess } from './auth/access.ts';
export type { AdminAccess, LoginResult } from './auth/access.ts';
export { hashPassword, verifyPassword } from './auth/passwords.ts';
export type { AdminRoute, AdminCtx } from './context.ts';
export { esc, html } from './html.ts';
