/**
 * `npm run chat`: a REPL on the same dialogue engine as every other channel — the no-setup way to try
 * the bot. Replies are printed with their citations; buttons become numbered choices (type the number
 * to press one). Staff replies from the console arrive here too, through a terminal sender.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { formatMessage, type BotEngine, type Button, type OutgoingMessage, type TextStyle } from '../../bot/index.ts';
import { loadConfig } from '../config.ts';
import { createServices } from '../services.ts';

export interface ReplOptions {
  engine: BotEngine;
  input: Readable;
  output: Writable;
  /** The terminal user's identity (default: the OS user name). */
  user?: string;
  clock?: () => Date;
  /** Colour and bold via ANSI escapes (only on a TTY). */
  ansi?: boolean;
}

/** Starts every reply, so replies with blank lines inside stay distinguishable. */
export const REPLY_PREFIX = '助手：';
export const PROMPT = '› ';
const EXIT = new Set(['/quit', '/exit', 'quit', 'exit', '退出对话']);

function style(ansi: boolean): TextStyle {
  return ansi ? { escape: (t) => t, bold: (t) => `\x1b[1m${t}\x1b[22m`, quote: (t) => `\x1b[2m${t}\x1b[22m` } : { escape: (t) => t, bold: (t) => t };
}

/** Prints replies; returns the buttons in the order they were numbered. */
export function printReplies(out: Writable, replies: OutgoingMessage[], ansi = false): Button[] {
  const numbered: Button[] = [];
  for (const r of replies) {
    out.write(REPLY_PREFIX + formatMessage(r, style(ansi)) + '\n');
    for (const row of r.buttons ?? []) {
      const cells = row.map((b) => {
        numbered.push(b);
        return `[${numbered.length}] ${b.label}`;
      });
      out.write('  ' + cells.join('   ') + '\n');
    }
    out.write('\n');
  }
  return numbered;
}

export async function repl(options: ReplOptions): Promise<void> {
  const { engine, output } = options;
  const ansi = options.ansi ?? false;
  const user = options.user ?? os.userInfo().username;
  const clock = options.clock ?? (() => new Date());
  const chatId = `terminal:${user}`;
  let buttons: Button[] = [];
  const unregister = engine.registerSender({
    channel: 'terminal',
    async send(_chatId, messages) {
      output.write('\n');
      buttons = printReplies(output, messages, ansi);
    },
  });
  const send = async (body: { text?: string; payload?: string }) => {
    const result = await engine.handle({
      id: crypto.randomUUID(),
      channel: 'terminal',
      user: { externalId: user, displayName: user },
      chat: { id: chatId, kind: 'private' },
      ...body,
      receivedAt: clock(),
    });
    buttons = printReplies(output, result.replies, ansi);
  };
  output.write('数改助手 · 终端对话。直接输入问题；输入按钮前的数字即可点选；/help 查看帮助，/quit 或 Ctrl+D 退出。\n\n');
  const rl = readline.createInterface({ input: options.input, terminal: false });
  try {
    await send({ text: '/start' });
    output.write(PROMPT);
    for await (const raw of rl) {
      const line = raw.trim();
      if (EXIT.has(line.toLowerCase())) break;
      if (line) {
        const n = /^\d{1,2}$/.test(line) ? Number(line) : 0;
        const pressed = n >= 1 && n <= buttons.length ? buttons[n - 1] : undefined;
        if (pressed) output.write(`（${pressed.label}）\n`);
        await send(pressed ? { payload: pressed.payload } : { text: raw });
      }
      output.write(PROMPT);
    }
  } finally {
    rl.close();
    unregister();
    output.write('\n再见！\n');
  }
}

export async function run(argv: string[]): Promise<number> {
  const userFlag = argv.indexOf('--user');
  const user = userFlag >= 0 ? argv[userFlag + 1] : undefined;
  const config = loadConfig();
  const services = await createServices(config);
  try {
    await repl({ engine: services.engine, input: process.stdin, output: process.stdout, user, clock: services.clock, ansi: Boolean(process.stdout.isTTY) });
  } finally {
    await services.close();
  }
  return 0;
}
