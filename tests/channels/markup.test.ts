/**
 * The renderers that every channel's output goes through: escaping, citations, and splitting at a
 * channel's size limit without ever cutting a tag or an entity, checked on generated messages.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { slackStyle } from '../../bot/channels/slack/index.ts';
import { htmlToPlain, telegramStyle } from '../../bot/channels/telegram/index.ts';
import { renderChunks } from '../../bot/channels/index.ts';
import { plainText } from '../../bot/index.ts';
import type { OutgoingMessage } from '../../bot/types.ts';

/** Every tag opened is closed in the same chunk, and every & starts a complete entity. */
function wellFormedHtml(html: string): boolean {
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-z]+)>/g)) {
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]);
  }
  if (stack.length) return false;
  const stripped = html.replace(/<\/?(b|blockquote)>/g, '');
  if (/[<>]/.test(stripped)) return false;
  return !/&(?!(amp|lt|gt);)/.test(stripped);
}

const squash = (s: string) => s.replace(/\s+/g, '');

describe('Telegram HTML rendering', () => {
  it('escapes user and document text and renders a citation as a blockquote with its source', () => {
    const [html] = renderChunks(
      { text: '根据 **第十七条** <script>&', citations: [{ document: '金华<试点>办法', section: '四、工作内容 > 17.', quote: '补助 < 50% & 不超过200万元' }] },
      telegramStyle,
    );
    expect(html).toBe(
      '根据 <b>第十七条</b> &lt;script&gt;&amp;\n\n<b>依据：</b>\n1. <b>《金华&lt;试点&gt;办法》 四、工作内容 &gt; 17.</b>：<blockquote>补助 &lt; 50% &amp; 不超过200万元</blockquote>',
    );
    // Without its markup it is exactly the engine's canonical text, as on every other channel.
    expect(htmlToPlain(html)).toBe(
      plainText({ text: '根据 **第十七条** <script>&', citations: [{ document: '金华<试点>办法', section: '四、工作内容 > 17.', quote: '补助 < 50% & 不超过200万元' }] }),
    );
  });

  it('splits a 10,000-character answer into parts within 4,096 at line boundaries', () => {
    const para = '企业数字化改造项目按照软硬件投入给予补助，单个项目最高不超过200万元。'.repeat(40);
    const text = Array.from({ length: 8 }, (_, i) => `**第${i + 1}段** ${para}`).join('\n\n');
    const chunks = renderChunks({ text }, telegramStyle);
    expect(text.length).toBeGreaterThan(8000);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(4096);
      expect(wellFormedHtml(c)).toBe(true);
      expect(c.startsWith('<b>第')).toBe(true); // each part starts at a paragraph
    }
    expect(squash(chunks.map(htmlToPlain).join(''))).toBe(squash(text.replace(/\*\*/g, '')));
  });

  it('never cuts a tag or entity and loses no text, for any message (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom('&', '<', '>', '**', '\n', '\n\n', '。', ' ', '《', 'a'),
      fc.string({ minLength: 0, maxLength: 30 }),
      fc.constantFrom('金华市数字化改造', '&amp;', '<b>x</b>'),
    );
    const text = fc.array(piece, { maxLength: 400 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 40, max: 400 }), fc.array(fc.record({ document: fc.string(), section: fc.string(), quote: text }), { maxLength: 2 }), (t, limit, citations) => {
        const message: OutgoingMessage = { text: t, citations };
        const style = { ...telegramStyle, limit };
        const chunks = renderChunks(message, style);
        for (const c of chunks) {
          expect(c.length).toBeLessThanOrEqual(limit);
          expect(wellFormedHtml(c)).toBe(true);
        }
        expect(squash(chunks.map(htmlToPlain).join(''))).toBe(squash(plainText(message)) || '…');
      }),
      { numRuns: 300 },
    );
  });
});

describe('Slack mrkdwn rendering', () => {
  it('escapes &, < and >, bolds with zero-width spaces around CJK, quotes citations in italics', () => {
    const [text] = renderChunks({ text: '**补助**<标准>&', citations: [{ document: '办法', section: '一', quote: '第一行\n第二行' }] }, slackStyle);
    const z = '\u200b';
    expect(text).toBe(`${z}*补助*${z}&lt;标准&gt;&amp;\n\n${z}*依据：*${z}\n1. ${z}*《办法》 一*${z}：${z}_第一行_${z}\n${z}_第二行_${z}`);
  });
});
