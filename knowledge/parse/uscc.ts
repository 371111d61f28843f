/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-symbol alphabet, the last one a check
 * character computed with weights 3^i mod 31. Input is normalised first (full-width, lower case, spaces
 * and dashes), and each failure says what is wrong, because a retry prompt of "格式错误" alone makes
 * people retype the same thing.
 */
import { fail, ok, toHalfWidth, type Parsed } from './result.ts';

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = Array.from({ length: 17 }, (_, i) => Number(3n ** BigInt(i) % 31n));

export interface Uscc {
  code: string;
  /** Positions 3–8: the registering division (e.g. 330784 永康市). */
  divisionCode: string;
}

/** The check character for the first 17 characters, or null if one of them is outside the alphabet. */
export function usccCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * WEIGHTS[i];
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

export function normaliseUscc(text: string): string {
  return toHalfWidth(text).toUpperCase().replace(/[\s\-_—–.·]/g, '');
}

export function parseUscc(text: string): Parsed<Uscc> {
  const code = normaliseUscc(text);
  if (!code) return fail('请填写18位统一社会信用代码（营业执照上可以找到）。');
  if (code.length !== 18) return fail(`统一社会信用代码应为18位，您填写的是${code.length}位，请核对营业执照后重新输入。`);
  const bad = [...new Set([...code].filter((c) => !USCC_ALPHABET.includes(c)))];
  if (bad.length)
    return fail(`统一社会信用代码中不能出现“${bad.join('、')}”（代码不使用字母 I、O、S、V、Z，请检查是否把数字 0、1 看成了字母）。`);
  if (!/^\d{6}$/.test(code.slice(2, 8))) return fail('统一社会信用代码第3—8位应为行政区划代码（6位数字），请核对后重新输入。');
  const expected = usccCheckChar(code.slice(0, 17));
  if (expected !== code[17]) return fail('统一社会信用代码校验位不正确，可能有字符输错了，请对照营业执照逐位核对后重新输入。');
  return ok({ code, divisionCode: code.slice(2, 8) });
}
