/**
 * The small YAML subset our corpus front matter uses: `key: scalar`, quoted scalars, `key:` followed by
 * `  - item` lists, and `#` comments. Anything richer is kept as the raw string rather than guessed at.
 */

export type FrontMatterValue = string | string[];

export interface FrontMatter {
  data: Record<string, FrontMatterValue>;
  /** The text after the closing `---`. */
  body: string;
  /** 1-based line number where the body starts, for messages. */
  bodyLine: number;
}

function unquote(v: string): string {
  const t = v.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) {
    const inner = t.slice(1, -1);
    return t.startsWith('"') ? inner.replace(/\\"/g, '"').replace(/\\\\/g, '\\') : inner.replace(/''/g, "'");
  }
  return t;
}

/** Drops a trailing ` # comment` that is not inside quotes. */
function stripComment(v: string): string {
  let quote: string | null = null;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(v[i - 1]))) return v.slice(0, i).trimEnd();
  }
  return v;
}

export function parseFrontMatter(text: string): FrontMatter {
  const src = text.replace(/^\uFEFF/, '');
  const lines = src.split(/\r?\n/);
  if (lines[0]?.trim() !== '---') return { data: {}, body: src, bodyLine: 1 };
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end < 0) return { data: {}, body: src, bodyLine: 1 };
  const data: Record<string, FrontMatterValue> = {};
  let listKey: string | null = null;
  for (const line of lines.slice(1, end)) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const item = /^\s+-\s?(.*)$/.exec(line);
    if (item && listKey) {
      const v = unquote(stripComment(item[1]));
      const cur = data[listKey];
      data[listKey] = Array.isArray(cur) ? [...cur, v] : [v];
      continue;
    }
    const kv = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (!kv) continue;
    const value = stripComment(kv[2]);
    if (value === '') {
      listKey = kv[1];
      data[kv[1]] = [];
    } else {
      listKey = null;
      data[kv[1]] = value === '[]' ? [] : unquote(value);
    }
  }
  return { data, body: lines.slice(end + 1).join('\n'), bodyLine: end + 2 };
}
