/**
 * The diagnostic intake (申报诊断), 我的申请进度 (/status) and the staff-side application service, plus
 * the small message helpers the eligibility flow shares. Everything is built from the pack and the
 * repositories passed in (see createIntakeFlows).
 */
import { IntakeRepo, NxRepo, type Db } from '../../../db/index.ts';
import type { Pack } from '../../../knowledge/index.ts';
import { loadAssessment, loadNx, nxSeedItems } from '../../../knowledge/rules/index.ts';
import { loadIntakeConfig } from './config.ts';
import { intakeFlow } from './flow.ts';
import { createApplicationService, statusFlow, type Deliver } from './status.ts';
import { createApplicationDescriber } from './describe.ts';

export { intakeFlow, fmtDate } from './flow.ts';
export type { IntakeState, IntakeDeps } from './flow.ts';
export { statusFlow, createApplicationService } from './status.ts';
export type { ApplicationService, Deliver } from './status.ts';
export { loadIntakeConfig, STATUS_LABELS } from './config.ts';
export type { IntakeConfig } from './config.ts';
export { reply, inRows, renderEstimate } from './ui.ts';
export { applicationAnswers, applicationFieldLabels } from './describe.ts';
export type { ApplicationFieldRow, DescribeApplications } from './describe.ts';

/**
 * Builds the intake and status flows for a pack and seeds its starter N+X lists (idempotent; console
 * edits are kept). The deliver function is bound later (the engine is created after its flows).
 */
export async function createIntakeFlows(deps: { db: Db; pack: Pack; clock: () => Date; deliver: Deliver }) {
  const intake = new IntakeRepo(deps.db);
  const nx = new NxRepo(deps.db);
  const nxSection = deps.pack.hasSection('nx') ? loadNx(deps.pack) : null;
  if (nxSection) await nx.seed(deps.pack.id, nxSeedItems(nxSection));
  const config = loadIntakeConfig(deps.pack);
  const bank = loadAssessment(deps.pack);
  return {
    intake,
    nx,
    flows: [intakeFlow({ pack: deps.pack, config, bank, intake, nx, nxLabel: nxSection?.label ?? 'N+X清单' }), statusFlow({ pack: deps.pack, intake })],
    applications: createApplicationService({ intake, deliver: deps.deliver, clock: deps.clock, describe: createApplicationDescriber({ pack: deps.pack, config, nx }) }),
  };
}
