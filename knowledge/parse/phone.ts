/**
 * Mainland mobile numbers: 11 digits starting 1[3-9], typed with +86 / 0086, spaces, dashes or brackets.
 * The normalised value is the bare 11 digits, which is what officers dial and what we store.
 */
import { fail, ok, toHalfWidth, type Parsed } from './result.ts';

export function parseMobile(text: string): Parsed<string> {
  let s = toHalfWidth(text).replace(/[\s\-()（）.]/g, '');
  if (!s) return fail('请填写联系人的手机号码（11位）。');
  s = s.replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
  if (/[^0-9+]/.test(s)) return fail('手机号码只能包含数字，请重新输入，例如 13812345678。');
  if (!/^\d+$/.test(s)) return fail('手机号码格式不对，请输入11位手机号，例如 13812345678。');
  if (s.length !== 11) return fail(`手机号码应为11位，您填写的是${s.length}位，请核对后重新输入。`);
  if (!/^1[3-9]\d{9}$/.test(s)) return fail('这不像是大陆手机号码（应以13—19开头），请核对后重新输入。');
  return ok(s);
}
