/**
 * A grammY API transformer that retries Bot API calls the way Telegram asks: on 429 it waits exactly
 * `retry_after` seconds (Telegram's flood control), on 5xx or a network failure it backs off
 * exponentially. getUpdates is left to grammY's poller, which has its own retry loop. Waits longer than
 * `maxRetryAfterSeconds` are not worth holding a reply for: the error is returned to the caller instead.
 */
import { HttpError, type Transformer } from 'grammy';

export interface RetryOptions {
  maxAttempts?: number;
  maxRetryAfterSeconds?: number;
  /** First backoff for 5xx/network errors; doubled each attempt. */
  baseDelayMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (info: { method: string; attempt: number; delayMs: number; reason: string }) => void;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

export function retryTransformer(options: RetryOptions = {}): Transformer {
  const maxAttempts = options.maxAttempts ?? 4;
  const maxRetryAfter = options.maxRetryAfterSeconds ?? 60;
  const base = options.baseDelayMs ?? 500;
  const sleep = options.sleep ?? defaultSleep;
  return async (prev, method, payload, signal) => {
    if (method === 'getUpdates') return prev(method, payload, signal);
    for (let attempt = 1; ; attempt++) {
      let delayMs: number | undefined;
      let reason = '';
      try {
        const res = await prev(method, payload, signal);
        if (res.ok || attempt >= maxAttempts || signal?.aborted) return res;
        const retryAfter = res.parameters?.retry_after;
        if (res.error_code === 429 && typeof retryAfter === 'number' && retryAfter <= maxRetryAfter) {
          delayMs = retryAfter * 1000;
          reason = `429 retry_after=${retryAfter}`;
        } else if (res.error_code >= 500) {
          delayMs = base * 2 ** (attempt - 1);
          reason = `${res.error_code}`;
        } else return res;
      } catch (err) {
        // Network failures and non-JSON 5xx pages surface as HttpError; anything else is a bug, not weather.
        if (!(err instanceof HttpError) || attempt >= maxAttempts || signal?.aborted) throw err;
        delayMs = base * 2 ** (attempt - 1);
        reason = err.message;
      }
      options.onRetry?.({ method, attempt, delayMs, reason });
      await sleep(delayMs, signal as AbortSignal | undefined);
    }
  };
}
