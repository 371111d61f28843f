/**
 * The shared scripted conversation of issue 5's "done when": a question answered with a citation, a
 * button press (👎 on that answer, which opens the feedback question), the menu (which says a flow is
 * active) and /cancel, which leaves it. Every channel
 * test (engine, web chat, terminal, Telegram, Slack) drives it through a ScriptDriver and compares the
 * canonical transcript: each reply's plain text (markup stripped, = plainText(OutgoingMessage)) and
 * button labels. Also a deterministic answerer over one real clause of the Jinhua opinions, so the
 * script does not depend on which retrieval index is loaded.
 */
import type { Answer, Answerer } from '../../knowledge/index.ts';
import { plainText, type OutgoingMessage } from '../../bot/index.ts';

/** One reply as a channel showed it: plain text and the buttons (label + the payload to press). */
export interface SeenReply {
  text: string;
  buttons: { label: string; payload: string }[][];
}

export interface ScriptDriver {
  say(text: string): Promise<SeenReply[]>;
  press(button: { label: string; payload: string }): Promise<SeenReply[]>;
}

export type ScriptStep = { say: string } | { press: string; from: number };

export const SCRIPT_QUESTION = '达到三级的试点项目最高补助多少？';

export const SCRIPT: ScriptStep[] = [
  { say: SCRIPT_QUESTION },
  { press: '👎 没帮助', from: 0 },
  { say: '/menu' },
  { say: '/cancel' },
];

export const FIXTURE_DOCUMENT = '金华市推进中小企业数字化转型城市试点建设实施意见（征求意见稿）';
export const FIXTURE_SECTION = '四、工作内容 > （四）加大数字化改造资金支持 > 17.';
export const FIXTURE_QUOTE =
  '改造后数字化水平达到二级、三级、四级的试点项目按照实际投入分别给予最高50万元、80万元、100万元补助';

/**
 * A deterministic stand-in for the knowledge layer: questions about the subsidy get the clause-17 answer
 * with its citation; anything else abstains. It exercises the engine, not retrieval.
 */
export function fixtureAnswerer(): Answerer & { calls: { question: string; history: number }[] } {
  const calls: { question: string; history: number }[] = [];
  return {
    calls,
    async answer(question, context = {}): Promise<Answer> {
      calls.push({ question, history: context.history?.length ?? 0 });
      if (/补助|补贴|三级|多少钱/.test(question)) {
        const text = '达到三级的试点项目，最高给予80万元补助（按实际投入计算）。';
        context.onDelta?.('达到三级的试点项目，');
        context.onDelta?.('最高给予80万元补助（按实际投入计算）。');
        return {
          text,
          citations: [{ document: FIXTURE_DOCUMENT, section: FIXTURE_SECTION, quote: FIXTURE_QUOTE, kind: 'clause' }],
          abstained: false,
          mode: 'extractive',
          confidence: 0.9,
          lang: 'zh',
          hits: [
            {
              chunkId: 'fixture-17',
              documentId: 'fixture',
              documentTitle: FIXTURE_DOCUMENT,
              sectionPath: FIXTURE_SECTION.split(' > '),
              kind: 'clause',
              text: FIXTURE_QUOTE,
              position: 17,
              score: 0.5,
              scores: { lexical: { rank: 1, score: 12.5 } },
            },
          ],
          rewrittenQuery: question,
        };
      }
      return { text: '在已加载的文件中没有找到依据。', citations: [], abstained: true, mode: 'abstained', confidence: 0.05, lang: 'zh', hits: [], rewrittenQuery: question };
    },
  };
}

/** How the engine's own reply looks as a SeenReply (for engine-level drivers). */
export function seen(reply: OutgoingMessage): SeenReply {
  return { text: plainText(reply), buttons: (reply.buttons ?? []).map((row) => row.map((b) => ({ label: b.label, payload: b.payload }))) };
}

/** Runs the script; returns what was seen after each step. */
export async function runScript(driver: ScriptDriver, script: ScriptStep[] = SCRIPT): Promise<SeenReply[][]> {
  const out: SeenReply[][] = [];
  for (const step of script) {
    if ('say' in step) {
      out.push(await driver.say(step.say));
      continue;
    }
    const button = out[step.from]?.flatMap((r) => r.buttons.flat()).find((b) => b.label === step.press);
    if (!button) throw new Error(`script: no button "${step.press}" in the replies of step ${step.from}: ${JSON.stringify(out[step.from])}`);
    out.push(await driver.press(button));
  }
  return out;
}

/** The transcript without payloads (signed, so they differ per run): what must be equal on every channel. */
export function canonical(transcript: SeenReply[][]): { text: string; buttons: string[][] }[][] {
  return transcript.map((replies) => replies.map((r) => ({ text: r.text.trim(), buttons: r.buttons.map((row) => row.map((b) => b.label)) })));
}

/** The facts the script must show on any channel; returns a list of what is wrong (empty when fine). */
export function checkScript(transcript: SeenReply[][]): string[] {
  const problems: string[] = [];
  const [answer, pressed, menu, cancelled] = transcript;
  const first = answer?.[0];
  if (!first?.text.includes('80万元')) problems.push('step 1: the answer does not say 80万元');
  if (!first?.text.includes(`《${FIXTURE_DOCUMENT}》`) || !first.text.includes(FIXTURE_QUOTE)) problems.push('step 1: the citation (《document》 and quote) is missing');
  if (!first?.buttons.flat().some((b) => b.label === '👍 有帮助')) problems.push('step 1: no 👍 button');
  const labels = menu?.flatMap((r) => r.buttons.flat().map((b) => b.label)) ?? [];
  if (!pressed?.some((r) => r.text.includes('哪里不对'))) problems.push('step 2: pressing 👎 did not ask what was wrong');
  for (const want of ['政策问答', '转人工']) if (!labels.includes(want)) problems.push(`step 3: the menu has no ${want}`);
  if (!menu?.some((r) => r.text.includes('您正在进行「回答反馈」'))) problems.push('step 3: the menu does not mention the active flow');
  if (!cancelled?.some((r) => r.text.includes('已退出「回答反馈」'))) problems.push('step 4: /cancel did not leave the flow');
  return problems;
}

/** Drives an engine directly as one user of one channel (the reference the other channels compare to). */
export function engineDriver(
  engine: { handle(m: import('../../bot/index.ts').IncomingMessage): Promise<{ replies: OutgoingMessage[] }> },
  options: { channel?: import('../../bot/index.ts').ChannelId; user?: string; clock?: () => Date } = {},
): ScriptDriver {
  const channel = options.channel ?? 'api';
  const user = options.user ?? `script-${Math.random().toString(36).slice(2)}`;
  let n = 0;
  const send = async (extra: { text?: string; payload?: string }) => {
    const r = await engine.handle({
      id: `${user}-${++n}`,
      channel,
      user: { externalId: user },
      chat: { id: user, kind: 'private' },
      ...extra,
      receivedAt: options.clock?.() ?? new Date(),
    });
    return r.replies.map(seen);
  };
  return { say: (text) => send({ text }), press: (b) => send({ payload: b.payload }) };
}
