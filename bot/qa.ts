/**
 * Policy Q&A, the default for free text: asks the answerer with the conversation's last turns (for
 * follow-ups), stores the answer with its citations, hit scores and mode for the console, and renders
 * it with 👍/👎. Abstentions offer the menu and 转人工; repeated ones open a handoff. Also the feedback
 * side: the /fb command behind the 👍/👎 buttons, and a one-question flow asking what was wrong.
 */
import type { Answer, SearchHit } from '../knowledge/index.ts';
import { requestHandoff } from './handoff.ts';
import type { EngineKit } from './kit.ts';
import type { Turn } from './pipeline.ts';
import { commandButton, rows } from './render.ts';
import { texts } from './texts.ts';
import type { Button, Flow, OutgoingMessage } from './types.ts';

/** Hits stored with each answer for the console (each with a 240-character excerpt). */
const MAX_STORED_HITS = 10;

function hitSummary(h: SearchHit): Record<string, unknown> {
  return {
    chunkId: h.chunkId,
    documentId: h.documentId,
    documentTitle: h.documentTitle,
    sectionPath: h.sectionPath,
    kind: h.kind,
    score: h.score,
    scores: h.scores,
    text: h.text.length > 240 ? h.text.slice(0, 240) + '…' : h.text,
  };
}

export function feedbackButtons(answerId: string, lang: 'zh' | 'en'): Button[] {
  const t = texts(lang);
  return [commandButton(t.feedbackButtons.up, `fb ${answerId} up`), commandButton(t.feedbackButtons.down, `fb ${answerId} down`)];
}

export function abstainButtons(lang: 'zh' | 'en'): Button[] {
  const t = texts(lang);
  return [commandButton(t.menuLabels.menu, 'menu'), commandButton(t.menuLabels.handoff, 'handoff')];
}

export async function answerQuestion(turn: Turn, kit: EngineKit, question: string): Promise<void> {
  const conv = turn.conversation;
  const history = await kit.transcripts.history(conv.id, kit.settings.historyTurns);
  const answer: Answer = await kit.answerer.answer(question, {
    history,
    lang: turn.user.lang,
    now: turn.now,
    conversationId: conv.id,
    onDelta: turn.onDelta,
  });
  const answerId = await kit.transcripts.addAnswer({
    conversationId: conv.id,
    question,
    rewrittenQuery: answer.rewrittenQuery,
    text: answer.text,
    citations: answer.citations,
    // The reviewer's summary: the first hits carry the decision; the retrieval tester shows them all.
    hits: answer.hits.slice(0, MAX_STORED_HITS).map(hitSummary),
    abstained: answer.abstained,
    mode: answer.mode,
    confidence: answer.confidence,
    lang: answer.lang,
    createdAt: turn.now,
  });
  const lang = turn.user.lang;
  const reply: OutgoingMessage = {
    text: answer.abstained ? `${answer.text}\n${texts(lang).abstainHint}` : answer.text,
    citations: answer.citations,
    buttons: [feedbackButtons(answerId, lang), ...(answer.abstained ? [abstainButtons(lang)] : [])],
    meta: { kind: 'answer', abstained: answer.abstained, answerId, lang: answer.lang },
  };
  turn.replies.push(reply);
  const streak = answer.abstained ? conv.abstainStreak + 1 : 0;
  if (streak >= kit.settings.abstentionsBeforeHandoff && !(await kit.handoffs.openFor(conv.id))) {
    await requestHandoff(turn, kit, 'abstentions');
    await kit.chat.setAbstainStreak(conv.id, 0);
  } else if (streak !== conv.abstainStreak) await kit.chat.setAbstainStreak(conv.id, streak);
}

interface FeedbackState {
  answerId: string;
}

/** After 👎: one question, what was wrong (a button or free text), stored on the answer. */
export function feedbackFlow(kit: EngineKit): Flow<FeedbackState> {
  const reasonButtons = (lang: 'zh' | 'en') => rows(texts(lang).feedbackReasons.map((r, i) => ({ label: r, payload: `r${i}` })), 3);
  return {
    id: 'feedback',
    title: texts('zh').feedbackTitle,
    version: 1,
    async start(ctx, input) {
      const answerId = (input.payload ?? input.text ?? '').split(/\s+/)[1] ?? '';
      return { state: { answerId }, replies: [{ text: texts(ctx.user.lang).feedbackDown, buttons: reasonButtons(ctx.user.lang), meta: { kind: 'flow' } }] };
    },
    async step(ctx, state, input) {
      const t = texts(ctx.user.lang);
      const picked = input.payload?.match(/^r(\d)$/);
      const reason = picked ? t.feedbackReasons[Number(picked[1])] : input.text?.trim();
      if (!reason) return { state, replies: [{ text: t.feedbackDown, buttons: reasonButtons(ctx.user.lang), meta: { kind: 'flow' } }] };
      await kit.transcripts.setFeedbackReason(state.answerId, reason.slice(0, 500));
      return { state: null, replies: [{ text: t.feedbackReasonThanks, buttons: [[commandButton(t.menuLabels.handoff, 'handoff'), commandButton(t.menuLabels.menu, 'menu')]], meta: { kind: 'notice' } }] };
    },
    restore(raw) {
      const s = raw as Partial<FeedbackState> | null;
      return s && typeof s.answerId === 'string' ? { answerId: s.answerId } : null;
    },
  };
}

/** /fb <answerId> up|down, behind the 👍/👎 buttons; only for answers in this conversation. */
export async function recordFeedback(turn: Turn, kit: EngineKit, args: string): Promise<'up' | 'down' | null> {
  const [answerId = '', vote] = args.split(/\s+/);
  const t = texts(turn.user.lang);
  const answer = await kit.transcripts.getAnswer(answerId);
  if (!answer || answer.conversationId !== turn.conversation.id || (vote !== 'up' && vote !== 'down')) {
    turn.replies.push({ text: t.feedbackUnknown, meta: { kind: 'notice' } });
    return null;
  }
  await kit.transcripts.setFeedback(answerId, vote === 'up' ? 1 : -1, turn.now);
  if (vote === 'up') turn.replies.push({ text: t.feedbackUp, meta: { kind: 'notice' } });
  return vote;
}
