/**
 * The terminal REPL driven through its stdin/stdout: the scripted conversation typed line by line,
 * buttons pressed by number, and the same content as the engine itself gives.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type BotEngine } from '../../bot/index.ts';
import { PROMPT, REPLY_PREFIX, repl } from '../../console/cli/chat.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { canonical, checkScript, engineDriver, fixtureAnswerer, runScript, type ScriptDriver, type SeenReply } from '../helpers/script.ts';

/** Parses what the REPL printed for one turn back into replies (text + numbered buttons). */
export function parseTurn(printed: string): SeenReply[] {
  return printed
    .split(new RegExp(`^${REPLY_PREFIX}`, 'm'))
    .slice(1)
    .map((block) => {
      const lines = block.replace(/\n+$/, '').split('\n');
      const buttons = lines.filter((l) => /^ {2}\[\d+\] /.test(l)).map((l) => l.trim().split(/ {3}(?=\[\d+\])/).map((cell) => {
        const m = cell.match(/^\[(\d+)\] (.*)$/)!;
        return { label: m[2]!, payload: m[1]! };
      }));
      const text = lines.filter((l) => !/^ {2}\[\d+\] /.test(l)).join('\n').trim();
      return { text, buttons };
    });
}

function terminalDriver(engine: BotEngine): { driver: ScriptDriver; started: Promise<SeenReply[]>; done: Promise<void>; quit(): void } {
  const input = new PassThrough();
  const output = new PassThrough();
  let buffer = '';
  let waiting: ((s: string) => void) | null = null;
  output.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const at = buffer.indexOf(PROMPT);
    if (at >= 0 && waiting) {
      const turn = buffer.slice(0, at);
      buffer = buffer.slice(at + PROMPT.length);
      const w = waiting;
      waiting = null;
      w(turn);
    }
  });
  const next = () => new Promise<string>((resolve) => (waiting = resolve));
  const started = next().then(parseTurn);
  const done = repl({ engine, input, output, user: 'tester' });
  const type = async (line: string) => {
    const turn = next();
    input.write(line + '\n');
    return parseTurn(await turn);
  };
  return { driver: { say: type, press: (b) => type(b.payload) }, started, done, quit: () => input.end('/quit\n') };
}

describe('terminal REPL', () => {
  let t: TestDb;
  let engine: BotEngine;
  beforeAll(async () => {
    t = await openTestDb();
    engine = await createEngine({ db: t.db, answerer: fixtureAnswerer(), limits: { ratePerMinute: 1000, maxMessageChars: 2000 } });
  });
  afterAll(async () => t?.close());

  it('greets with the numbered menu, runs the scripted conversation, and shows what the engine shows', async () => {
    const term = terminalDriver(engine);
    const greeting = await term.started;
    expect(greeting[0]!.text).toContain('数改助手');
    expect(greeting[0]!.buttons.flat().map((b) => `${b.payload}:${b.label}`)).toEqual(['1:政策问答', '2:转人工']);
    const transcript = await runScript(term.driver);
    expect(checkScript(transcript)).toEqual([]);
    const reference = await runScript(engineDriver(engine, { user: 'terminal-reference' }));
    expect(canonical(transcript)).toEqual(canonical(reference));
    // A number that is no button is just text (Q&A), and a staff reply is printed as it arrives.
    const typed = await term.driver.say('99');
    expect(typed[0]!.text).toContain('没有找到依据');
    const conv = await engine.chat.findConversation('terminal', 'tester', 'terminal:tester');
    const delivery = await engine.deliver({ conversationId: conv!.id }, [{ text: '【工作人员回复】\n您好' }], { author: 'staff' });
    expect(delivery.status).toBe('sent');
    term.quit();
    await term.done;
  });
});
