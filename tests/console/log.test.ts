import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../console/log.ts';

describe('log redaction', () => {
  it('removes mobile numbers in their usual spellings and USCCs', () => {
    for (const phone of ['13812345678', '+86 138 1234 5678', '138-1234-5678', '+8613812345678'])
      expect(redact(`联系人电话 ${phone} 好的`)).toBe('联系人电话 [phone] 好的');
    expect(redact('代码91350100M000100Y43已提交')).toBe('代码[uscc]已提交');
    expect(redact('投入120万，2026年9月30日')).toBe('投入120万，2026年9月30日');
  });

  it('redacts inside structured fields too', () => {
    const lines: string[] = [];
    const log = createLogger('info', {}, (l) => lines.push(l));
    log.info('intake answer', { text: '我的手机是13912345678', uscc: '91350100M000100Y43' });
    log.debug('hidden');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/13912345678|91350100M000100Y43/);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', msg: 'intake answer', text: '我的手机是[phone]' });
  });
});
