/**
 * The one result shape every parser returns: either the normalised value or a Chinese message that can be
 * shown to the user as a retry prompt. Parsers never throw on bad input, so a chat step or an HTTP edge
 * decides itself whether a failure is a retry, a 400 or a "need more information".
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const fail = <T = never>(error: string): Parsed<T> => ({ ok: false, error });

/** Full-width digits, letters and punctuation to ASCII (NFKC), so "５０万" and "50万" parse the same. */
export function toHalfWidth(text: string): string {
  return text.normalize('NFKC').replace(/\u3000/g, ' ');
}
