/**
 * POST /api/eligibility: an enterprise profile in, the deterministic estimate out (the same JSON as
 * `npm run eligibility`). Bad fields are 400s with one Chinese message per field; the calculator itself
 * cannot fail on valid input, so nothing here is a 500.
 */
import { Router } from 'express';
import type { Services } from '../services.ts';

export function eligibilityRouter(services: Services): Router {
  const router = Router();
  router.post('/api/eligibility', (req, res) => {
    res.json(services.eligibility.assess(req.body ?? {}));
  });
  return router;
}
