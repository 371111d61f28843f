/**
 * `npm run ask -- "问题" [--json]`: one question answered in the terminal on the same services as the
 * server; --json prints exactly the /api/chat response body.
 */
import { AppError } from '../../db/index.ts';
import { loadConfig } from '../config.ts';
import { createServices } from '../services.ts';

export async function run(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const question = argv.filter((a) => a !== '--json').join(' ').trim();
  if (!question) throw new AppError('validation', 'usage: npm run ask -- "问题" [--json]', { userMessage: '请提供问题，例如：npm run ask -- "达到三级的试点项目最高补助多少？"' });
  const config = loadConfig();
  const services = await createServices(config);
  try {
    const answer = await services.answerer.answer(question, { now: services.clock() });
    if (json) {
      process.stdout.write(JSON.stringify({ conversation: 'cli', replies: [{ text: answer.text, citations: answer.citations }], abstained: answer.abstained }) + '\n');
    } else {
      process.stdout.write(answer.text + '\n');
      for (const c of answer.citations) process.stdout.write(`  —《${c.document}》${c.section}：${c.quote}\n`);
    }
  } finally {
    await services.close();
  }
  return 0;
}
