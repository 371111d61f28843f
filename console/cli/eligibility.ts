/**
 * `npm run eligibility -- '<json>'`: the subsidy estimate for one profile, printed as the exact JSON body
 * /api/eligibility returns (`-` reads the JSON from stdin). Invalid input prints the same error body as
 * the API's 400 and exits with 2. It needs only the pack, not the database.
 */
import fs from 'node:fs';
import { AppError } from '../../db/index.ts';
import { loadPack } from '../../knowledge/index.ts';
import { loadEligibility } from '../../knowledge/rules/index.ts';
import { loadConfig } from '../config.ts';

export async function run(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const arg = argv.join(' ').trim();
  if (!arg)
    throw new AppError('validation', 'usage: npm run eligibility -- \'{"region":"永康市",...}\'', {
      userMessage: `用法：npm run eligibility -- '{"region":"永康市","industry":"电动工具","scale":"aboveScale","targetLevel":3,"investment":120,"year":1}'`,
    });
  const config = loadConfig();
  const eligibility = loadEligibility(loadPack(config.pack.id, config.pack.dir));
  const text = arg === '-' ? fs.readFileSync(0, 'utf8') : arg;
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    out(JSON.stringify({ error: new AppError('validation', 'malformed JSON', { userMessage: '参数不是合法的 JSON。' }).toJSON() }, null, 2) + '\n');
    return 2;
  }
  try {
    out(JSON.stringify(eligibility.assess(input), null, 2) + '\n');
    return 0;
  } catch (e) {
    const err = AppError.wrap(e);
    if (err.code !== 'validation') throw err;
    out(JSON.stringify({ error: err.toJSON() }, null, 2) + '\n');
    return 2;
  }
}
