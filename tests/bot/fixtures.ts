/**
 * Test flows for the engine suites: a two-question form (the shape of intake and eligibility), an
 * officer-only flow, a flow claiming free text, and one that throws, to exercise the runtime.
 */
import type { Flow, IncomingMessage } from '../../bot/index.ts';

export interface FormState {
  name?: string;
  size?: string;
}

export function formFlow(options: { version?: number; cancelled?: string[]; withRestore?: boolean } = {}): Flow<FormState> {
  const ask = (s: FormState) =>
    s.name === undefined
      ? { text: '请问企业名称是？', meta: { kind: 'flow' as const } }
      : { text: `${s.name}，请选择企业规模：`, buttons: [[{ label: '规上', payload: 'size:above' }, { label: '规下', payload: 'size:below' }]], meta: { kind: 'flow' as const } };
  return {
    id: 'form',
    version: options.version ?? 1,
    menuLabel: '资格测算',
    commands: ['form'],
    async start() {
      return { state: {}, replies: [ask({})] };
    },
    async step(_ctx, state, input: IncomingMessage) {
      if (state.name === undefined) {
        const name = input.text?.trim();
        if (!name) return { state, replies: [ask(state)] };
        const next = { ...state, name };
        return { state: next, replies: [ask(next)] };
      }
      const size = input.payload?.startsWith('size:') ? input.payload.slice(5) : undefined;
      if (!size) return { state, replies: [{ text: '请点选规模按钮。' }, ask(state)] };
      return { state: null, replies: [{ text: `已记录：${state.name}，${size === 'above' ? '规上' : '规下'}。`, buttons: [[{ label: '主菜单', payload: '/menu' }]] }] };
    },
    ...(options.withRestore
      ? {
          restore(raw: unknown, version: number) {
            const s = raw as Record<string, unknown>;
            // Version 1 stored { company }; version 2 calls it name.
            if (version === 1 && typeof s.company === 'string') return { name: s.company };
            return typeof s === 'object' && s ? (s as FormState) : null;
          },
        }
      : {}),
    async onCancel(_ctx, state) {
      options.cancelled?.push(state.name ?? '(none)');
      return [{ text: '草稿已保存。' }];
    },
  };
}

export const officerFlow: Flow<{ n: number }> = {
  id: 'progress',
  version: 1,
  menuLabel: '进度查询',
  roles: ['officer', 'admin'],
  async matches(_ctx, text) {
    return /签约多少家/.test(text);
  },
  async start(_ctx, input) {
    return { state: null, replies: [{ text: `进度：${input.text ?? input.payload}` }] };
  },
  async step() {
    return { state: null, replies: [] };
  },
};

export const throwingFlow: Flow<{ tries: number }> = {
  id: 'broken',
  version: 1,
  menuLabel: '申报诊断',
  async start() {
    return { state: { tries: 0 }, replies: [{ text: '请回答第一个问题。' }] };
  },
  async step(_ctx, state, input) {
    if (input.text === '炸') throw new Error('boom in flow');
    return { state: { tries: state.tries + 1 }, replies: [{ text: `第 ${state.tries + 1} 次回答已记录。` }] };
  },
};
