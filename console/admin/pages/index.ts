/** Every console page's routes, in one list (the router mounts them; the authorisation test walks them). */
import type { Services } from '../../services.ts';
import type { AdminRoute } from '../context.ts';
import { auditRoutes } from './audit.ts';
import { homeRoutes } from './home.ts';
import { userRoutes } from './users.ts';
import { documentRoutes } from './documents.ts';
import { retrievalRoutes } from './retrieval.ts';
import { dictionaryRoutes } from './dictionary.ts';
import { nxRoutes } from './nx.ts';
import { faqRoutes } from './faq.ts';
import { conversationRoutes } from './conversations.ts';
import { handoffRoutes } from './handoffs.ts';
import { applicationRoutes } from './applications.ts';
import { progressRoutes } from './progress.ts';
import { officerRoutes } from './officers.ts';

export function allPageRoutes(_services: Services): AdminRoute[] {
  return [...homeRoutes(), ...documentRoutes(), ...retrievalRoutes(), ...dictionaryRoutes(), ...nxRoutes(), ...faqRoutes(), ...conversationRoutes(), ...handoffRoutes(), ...applicationRoutes(), ...progressRoutes(), ...officerRoutes(), ...userRoutes(), ...auditRoutes()];
}
