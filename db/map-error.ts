/**
 * Both engines raise PostgreSQL errors with a SQLSTATE `code`; connection failures come from the
 * socket instead. This maps both onto AppError so callers never branch on the engine.
 */
import { AppError } from './errors.ts';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

export function mapDbError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; message?: string };
  const code = e?.code;
  const message = e?.message ?? String(err);
  if (code && CONNECTION_CODES.has(code)) return new AppError('db_unavailable', `database unreachable: ${message}`, { cause: err });
  // 08xxx: connection exceptions; 57P01-03: admin shutdown / cannot connect now.
  if (code && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03'))
    return new AppError('db_unavailable', `database unavailable: ${message}`, { cause: err });
  if (/Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message))
    return new AppError('db_unavailable', `database unavailable: ${message}`, { cause: err });
  if (code === '23505') return new AppError('conflict', message, { cause: err, details: { sqlstate: code } });
  if (code === '22P02' || code === '23502' || code === '23514' || code === '22001')
    return new AppError('validation', message, { cause: err, details: { sqlstate: code } });
  return new AppError('internal', `database error${code ? ` ${code}` : ''}: ${message}`, { cause: err, details: code ? { sqlstate: code } : undefined });
}
