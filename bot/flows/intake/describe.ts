/**
 * A submitted application's answers as labelled rows in question order, worded exactly like the summary
 * the enterprise confirmed (the same FieldDef labels and display functions), so staff (console detail
 * view, CSV export) read what the enterprise read, including names of systems and N+X items.
 */
import type { NxRepo } from '../../../db/index.ts';
import type { Pack } from '../../../knowledge/index.ts';
import type { IntakeConfig } from './config.ts';
import { buildFields, FIELD_ORDER, type AskContext, type FieldId, type Option } from './fields.ts';

export interface ApplicationFieldRow {
  id: FieldId;
  label: string;
  /** '' when the field was not answered. */
  value: string;
}

/** The answers inside an application's stored data ({answers, consentVersion, channel, submittedAt}). */
export function applicationAnswers(data: unknown): Record<string, unknown> {
  const d = (data ?? {}) as Record<string, unknown>;
  const a = d.answers;
  return a && typeof a === 'object' && !Array.isArray(a) ? (a as Record<string, unknown>) : d;
}

/** Pain-point options by industry; a caller describing many applications passes one cache for all. */
type PainCache = Map<string, Promise<Option[]>>;

/** The context the field display functions need; pain-point options depend on the chosen industry. */
export function askContextFactory(deps: { pack: Pack; config: IntakeConfig; nx: NxRepo }): (answers: Record<string, unknown>, cache?: PainCache) => Promise<AskContext> {
  const load = async (industry: string): Promise<Option[]> => (await deps.nx.list(deps.pack.id, industry)).map((i) => ({ id: i.code, label: `${i.kind}·${i.title}` }));
  return async (answers, cache) => {
    let painOptions: Option[] = [];
    if (typeof answers.industry === 'string') {
      const industry = answers.industry;
      if (!cache) painOptions = await load(industry);
      else {
        if (!cache.has(industry)) cache.set(industry, load(industry));
        painOptions = await cache.get(industry)!;
      }
    }
    return { pack: deps.pack, config: deps.config, answers, painOptions };
  };
}

/** Describes each application's stored data, in the order given. */
export type DescribeApplications = (data: readonly unknown[]) => Promise<ApplicationFieldRow[][]>;

export function createApplicationDescriber(deps: { pack: Pack; config: IntakeConfig; nx: NxRepo }): DescribeApplications {
  const fields = buildFields();
  const askContext = askContextFactory(deps);
  return async (data) => {
    const cache: PainCache = new Map();
    const out: ApplicationFieldRow[][] = [];
    for (const d of data) {
      const answers = applicationAnswers(d);
      const ctx = await askContext(answers, cache);
      out.push(FIELD_ORDER.map((id) => ({ id, label: fields[id].label, value: answers[id] === undefined ? '' : fields[id].display(answers[id], ctx) })));
    }
    return out;
  };
}

/** The field labels in question order (CSV header). */
export function applicationFieldLabels(): { id: FieldId; label: string }[] {
  const fields = buildFields();
  return FIELD_ORDER.map((id) => ({ id, label: fields[id].label }));
}
