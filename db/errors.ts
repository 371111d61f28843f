/**
 * The one error type every layer throws. A string-union `code` lets boundaries (HTTP, channels, CLI)
 * map failures to a status and a user-facing Chinese message without parsing text. Unknown throws are
 * wrapped with `AppError.wrap` at those boundaries so nothing escapes untyped.
 */

export type AppErrorCode =
  | 'validation' // bad user input; `fields` says which
  | 'not_found'
  | 'conflict' // duplicate or stale state
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'payload_too_large'
  | 'unsupported' // e.g. a file type or message kind we do not handle
  | 'config' // invalid environment or pack
  | 'db_unavailable'
  | 'db_vector_missing'
  | 'db_data_dir'
  | 'upstream' // an external service (LLM, Telegram, Slack) failed
  | 'timeout'
  | 'internal';

/** Field-level messages for validation errors, keyed by field path, in the user's language. */
export type FieldErrors = Record<string, string>;

const HTTP_STATUS: Record<AppErrorCode, number> = {
  validation: 400,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  payload_too_large: 413,
  unsupported: 415,
  config: 500,
  db_unavailable: 503,
  db_vector_missing: 503,
  db_data_dir: 500,
  upstream: 502,
  timeout: 504,
  internal: 500,
};

const DEFAULT_USER_MESSAGE: Record<AppErrorCode, string> = {
  validation: '输入有误，请检查后重试。',
  not_found: '没有找到您要的内容。',
  conflict: '该记录已存在或已被修改，请刷新后重试。',
  unauthorized: '请先登录。',
  forbidden: '您没有权限进行此操作。',
  rate_limited: '操作太频繁了，请稍后再试。',
  payload_too_large: '内容太大，请精简后再试。',
  unsupported: '暂不支持这种内容。',
  config: '系统配置有误，请联系管理员。',
  db_unavailable: '服务暂时不可用（数据库连接中断），请稍后再试。',
  db_vector_missing: '数据库缺少 vector 扩展，请联系管理员。',
  db_data_dir: '数据目录无法使用，请联系管理员。',
  upstream: '外部服务暂时不可用，请稍后再试。',
  timeout: '处理超时，请稍后再试。',
  internal: '系统出了点问题，请稍后再试。',
};

export interface AppErrorOptions {
  /** Shown to the user; Simplified Chinese unless the caller knows the user's language. */
  userMessage?: string;
  fields?: FieldErrors;
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly userMessage: string;
  readonly fields?: FieldErrors;
  readonly details?: Record<string, unknown>;

  constructor(code: AppErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.userMessage = options.userMessage ?? DEFAULT_USER_MESSAGE[code];
    this.fields = options.fields;
    this.details = options.details;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  /** Turns anything thrown into an AppError, keeping AppErrors as they are. */
  static wrap(err: unknown, code: AppErrorCode = 'internal'): AppError {
    if (err instanceof AppError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new AppError(code, message, { cause: err });
  }

  static validation(fields: FieldErrors, userMessage?: string): AppError {
    const first = Object.values(fields)[0];
    return new AppError('validation', `invalid input: ${Object.keys(fields).join(', ')}`, {
      fields,
      userMessage: userMessage ?? first ?? DEFAULT_USER_MESSAGE.validation,
    });
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.userMessage, ...(this.fields ? { fields: this.fields } : {}) };
  }
}

export function isAppError(err: unknown, code?: AppErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
