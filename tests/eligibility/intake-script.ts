/**
 * The whole 申报诊断 conversation as one script, run unchanged against the engine (Chat) and through
 * Telegram: invalid answers with their retry prompts, free-form amounts, multi-selects, the
 * self-assessment, an edit from the summary ("修改电话") and the submission. Returns the reference.
 */
import { expect } from 'vitest';
import type { TelegramSeen } from '../channels/telegram-harness.ts';
import type { TelegramApp } from '../helpers/telegram-app.ts';

export interface Driver {
  say(text: string): Promise<unknown>;
  press(label: string): Promise<unknown>;
  /** All text of the replies to the last action. */
  text(): string;
  labels(): string[];
}

/** Drives one Telegram chat of the app: buttons are pressed as callback queries with the payloads the bot sent. */
export function telegramDriver(app: TelegramApp, id: number): Driver {
  const user = app.user(id);
  let last: TelegramSeen[] = [];
  return {
    async say(text) {
      last = await user.say(text);
    },
    async press(label) {
      const all = last.flatMap((r) => r.buttons.flat());
      const b = all.find((x) => x.label === label) ?? all.find((x) => x.label.includes(label));
      if (!b) throw new Error(`no button "${label}" in ${JSON.stringify(last.map((r) => r.buttons.map((row) => row.map((x) => x.label))))}`);
      last = await user.press(b);
    },
    text: () => last.map((r) => r.text).join('\n'),
    labels: () => last.flatMap((r) => r.buttons.flat().map((b) => b.label)),
  };
}

export const USCC = '91330784MA2E12345C';

/** Answers the self-assessment: the best option of single questions, "B C" for multi ones, eight scenes at 一级 and six at 二级. */
async function doAssessment(chat: Driver) {
  await chat.press('开始自评');
  for (let i = 0; i < 40 && /自评 \d+\/\d+/.test(chat.text()); i++) {
    const text = chat.text();
    if (/哪些场景/.test(text)) {
      const scenes = chat.labels().filter((l) => l !== '完成');
      const level = /一级/.test(text) ? 8 : /二级/.test(text) ? 6 : 0;
      for (const s of scenes.slice(0, level)) await chat.press(s);
      await chat.press('完成');
    } else if (/可多选/.test(text)) await chat.say('B C');
    else {
      const letters = [...text.matchAll(/^([A-Z])\. /gm)].map((m) => m[1]);
      await chat.say(letters[letters.length - 1]!);
    }
  }
}

export async function runIntakeScript(chat: Driver, options: { midway?: () => Promise<void> } = {}): Promise<string> {
  await chat.say('/intake');
  expect(chat.text()).toMatch(/企业全称/);
  await chat.say('金华永康星辰工具有限公司');
  await chat.say('91330784MA2E12345D'); // wrong check character
  expect(chat.text()).toMatch(/校验位不正确/);
  expect(chat.text()).toMatch(/统一社会信用代码/);
  await chat.say('９１３３０７８４ma2e12345c'); // full-width and lower case
  expect(chat.text()).toMatch(/联系人姓名/);
  await chat.say('张伟');
  await chat.say('1381234567');
  expect(chat.text()).toMatch(/11位.*10位/);
  await chat.say('+86 138-1234-5678');
  expect(chat.text()).toMatch(/哪个区县/);
  await options.midway?.();
  await chat.say('永康的');
  expect(chat.text()).toMatch(/试点行业/);
  await chat.say('做电钻');
  await chat.press('规上');
  await chat.say('八千万');
  expect(chat.text()).toMatch(/工业总产值/);
  await chat.say('1.2亿');
  await chat.press('专精特新中小企业');
  expect(chat.text()).toMatch(/哪些系统/);
  await chat.press('ERP（企业资源计划）');
  expect(chat.labels()).toContain('✅ ERP（企业资源计划）');
  await chat.press('MES（生产执行）');
  await chat.say('金蝶云星空');
  await chat.press('完成');
  expect(chat.text()).toMatch(/起步清单（待市经信局正式清单替换）/);
  await chat.press('1. N·产品设计数据与BOM');
  await chat.press('完成');
  await doAssessment(chat);
  expect(chat.text()).toMatch(/预评估，仅供参考，以现场评定为准/);
  expect(chat.text()).toMatch(/计划投入/);
  await chat.say('投入120万');
  await chat.press('三级');
  expect(chat.text()).toMatch(/是否同意/);
  await chat.press('同意');
  expect(chat.text()).toMatch(/请核对申报信息/);
  expect(chat.text()).toContain('13812345678');
  expect(chat.text()).toContain('ERP（企业资源计划）、MES（生产执行）、金蝶云星空');

  await chat.say('修改电话');
  expect(chat.text()).toMatch(/手机号码/);
  await chat.say('139 0000 1111');
  expect(chat.text()).toMatch(/请核对申报信息/);
  expect(chat.text()).toContain('13900001111');

  await chat.press('确认提交');
  const m = chat.text().match(/JH-\d{4}-\d{6}/);
  expect(m, chat.text()).not.toBeNull();
  return m![0];
}
