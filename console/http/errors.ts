/**
 * The HTTP error boundary: every failure leaves as JSON with a code and a Chinese message. Validation
 * failures are 400s with field-level messages; unknown throws are wrapped and logged, never leaked.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { AppError } from '../../db/index.ts';
import type { Logger } from '../log.ts';

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `没有这个地址：${req.method} ${req.path}` } });
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: AppError;
    const status = (err as { status?: number; type?: string })?.status;
    const type = (err as { type?: string })?.type;
    if (type === 'entity.parse.failed') e = new AppError('validation', 'malformed JSON body', { userMessage: '请求体不是合法的 JSON。' });
    else if (type === 'entity.too.large') e = new AppError('payload_too_large', 'body too large');
    else if (type === 'charset.unsupported' || type === 'encoding.unsupported') e = new AppError('unsupported', String(type), { userMessage: '请使用 UTF-8 编码的 JSON。' });
    else if (status && status >= 400 && status < 500 && !(err instanceof AppError)) e = new AppError('validation', String((err as Error).message ?? err));
    else e = AppError.wrap(err);
    if (e.httpStatus >= 500) log.error('request failed', { method: req.method, path: req.path, code: e.code, err: e.cause ?? e });
    if (res.headersSent) return;
    res.status(e.httpStatus).json({ error: e.toJSON() });
  };
}

/** Turns a zod failure into AppError('validation') with one message per field. */
export function zodToAppError(error: z.ZodError): AppError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    fields[key] ??= issue.message;
  }
  return AppError.validation(fields);
}
