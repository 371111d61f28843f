/**
 * The development question set: one JSON object per line, validated with zod so that a malformed line
 * fails with its line number instead of silently skewing the figures. Missing `evidence`,
 * `answer_contains` and `abstain` default to empty / false, which keeps the original shared lines valid.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { AppError } from '../../db/index.ts';

export const EvalItemSchema = z
  .object({
    id: z.string().min(1),
    q: z.string().min(1),
    evidence: z.array(z.string().min(1)).default([]),
    answer_contains: z.array(z.string().min(1)).default([]),
    abstain: z.boolean().default(false),
    lang: z.enum(['zh', 'en']).optional(),
  })
  .refine((item) => !item.abstain || (item.evidence.length === 0 && item.answer_contains.length === 0), {
    message: 'an abstain item has no evidence and no answer_contains',
  });

export type EvalItem = z.output<typeof EvalItemSchema>;

/** Parses JSONL text; blank lines are ignored, ids must be unique. */
export function parseEvalSet(text: string, source = 'eval set'): EvalItem[] {
  const items: EvalItem[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (!line.trim()) return;
    const where = `${source}:${index + 1}`;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new AppError('validation', `${where}: not valid JSON (${(e as Error).message})`);
    }
    const parsed = EvalItemSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).join('; ');
      throw new AppError('validation', `${where}: ${issues}`);
    }
    if (seen.has(parsed.data.id)) throw new AppError('validation', `${where}: duplicate id ${parsed.data.id}`);
    seen.add(parsed.data.id);
    items.push(parsed.data);
  });
  if (items.length === 0) throw new AppError('validation', `${source}: no questions`);
  return items;
}

export function loadEvalSet(file: string): EvalItem[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('validation', `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  return parseEvalSet(text, file);
}
