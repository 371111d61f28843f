/**
 * Shared fixtures for the progress tests: valid USCCs on demand, and the ten-enterprise dataset whose
 * figures are computed by hand in metrics.test.ts (keep the two in step).
 */
import { fillReachedDates, type EnterpriseRecord, type OutputRecord, type StageId } from '../../knowledge/progress/index.ts';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** A valid 统一社会信用代码 for enterprise n in a division (GB 32100 check character). */
export function uscc(n: number, division = '330784'): string {
  const body = `91${division}${String(n).padStart(8, '0')}X`.slice(0, 17);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(body[i]) * WEIGHTS[i];
  return body + ALPHABET[(31 - (sum % 31)) % 31];
}

type Spec = Omit<EnterpriseRecord, 'id' | 'uscc' | 'reachedOn'> & { dates: Partial<Record<StageId, string>> };

function make(n: number, s: Spec): EnterpriseRecord {
  const { dates, ...rest } = s;
  return { id: String(n), uscc: uscc(n), ...rest, reachedOn: fillReachedDates(s.stage, dates) };
}

export const FIXTURE_ENTERPRISES: EnterpriseRecord[] = [
  make(1, { name: 'E1', region: '永康市', industry: 'power-tools', scale: 'above', srdi: 'none', cloud: true, level: 2, stage: 'qualified', dates: { signed: '2024-10-10', accepted: '2025-03-01', qualified: '2025-04-01' } }),
  make(2, { name: 'E2', region: '永康市', industry: 'power-tools', scale: 'above', srdi: 'srdi', cloud: false, level: 3, stage: 'paid', dates: { signed: '2024-11-05', qualified: '2025-06-10', paid: '2025-08-01' } }),
  make(3, { name: 'E3', region: '永康市', industry: 'power-tools', scale: 'below', srdi: 'none', cloud: true, level: null, stage: 'signed', dates: { signed: '2025-02-01' } }),
  make(4, { name: 'E4', region: '永康市', industry: 'power-tools', scale: 'above', srdi: 'little-giant', cloud: true, level: 1, stage: 'implementing', dates: { signed: '2025-05-01', implementing: '2025-07-15' } }),
  make(5, { name: 'E5', region: '东阳市', industry: 'magnetic-materials', scale: 'above', srdi: 'srdi', cloud: true, level: 2, stage: 'accepted', dates: { signed: '2025-01-10', accepted: '2025-09-01' } }),
  make(6, { name: 'E6', region: '东阳市', industry: 'magnetic-materials', scale: 'above', srdi: 'none', cloud: false, level: null, stage: 'enrolled', dates: { enrolled: '2025-01-05' } }),
  make(7, { name: 'E7', region: '东阳市', industry: 'apparel', scale: 'above', srdi: 'little-giant', cloud: true, level: 4, stage: 'qualified', dates: { signed: '2024-12-01', qualified: '2026-02-01' } }),
  make(8, { name: 'E8', region: '义乌市', industry: 'apparel', scale: 'below', srdi: 'none', cloud: false, level: 2, stage: 'qualified', dates: { signed: '2025-03-03', qualified: '2025-12-20' } }),
  make(9, { name: 'E9', region: '义乌市', industry: 'apparel', scale: 'above', srdi: 'none', cloud: true, level: null, stage: 'diagnosed', dates: { signed: '2025-07-01', diagnosed: '2025-08-08' } }),
  make(10, { name: 'E10', region: '武义县', industry: 'power-tools', scale: 'above', srdi: 'srdi', cloud: false, level: 2, stage: 'accepted', dates: { signed: '2025-10-01', accepted: '2025-11-11' } }),
];

export const FIXTURE_OUTPUTS: OutputRecord[] = [
  { id: '1', kpiId: 'solutions', name: '电动工具装配MES', region: '永康市', industry: 'power-tools', achievedOn: '2024-12-01' },
  { id: '2', kpiId: 'solutions', name: '磁材烧结监控', region: '东阳市', industry: 'magnetic-materials', achievedOn: '2025-05-05' },
  { id: '3', kpiId: 'digital-workshops', name: '武义某数字化车间', region: '武义县', industry: 'power-tools', achievedOn: '2025-11-20' },
  { id: '4', kpiId: 'honours', name: '永康样本企业授牌', region: '永康市', industry: 'power-tools', achievedOn: '2025-12-01' },
];
