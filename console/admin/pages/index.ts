/** Every console page's routes, in one list (the router mounts them; the authorisation test walks them). */
import type { Services } from '../../services.ts';
import type { AdminRoute } from '../context.ts';
import { auditRoutes } from './audit.ts';
import { homeRoutes } from './home.ts';
import { userRoutes } from './users.ts';

export function allPageRoutes(_services: Services): AdminRoute[] {
  return [...homeRoutes(), ...userRoutes(), ...auditRoutes()];
}
