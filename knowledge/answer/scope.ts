/**
 * Decides, before any retrieval, whether a question lies outside what the loaded documents can answer.
 * - A request no policy document answers (weather, poems, jokes, films, stock tips) is out of scope.
 * - A place that is not this pack's city, province or regions (jieba's place tags plus a national
 *   gazetteer, places-cn.json) is another city's business: out of scope when no loaded document mentions
 *   it, and otherwise the answer must come from a passage that does (温州's rules only from 温州's text),
 *   never from this city's clauses. The city is pack data (manifest.city, manifest.province, regions).
 */
import fs from 'node:fs';
import type { Pack } from '../pack/index.ts';
import type { Tagger } from './overlap.ts';

export type ScopeVerdict =
  | { inScope: true; /** Other places the question names that loaded documents mention. */ places: string[] }
  | { inScope: false; reason: 'other_place' | 'off_topic'; detail: string };

// Requests no policy document can answer, whatever city the pack is for.
const OFF_TOPIC =
  /天气|气温|下雨|下雪|台风|(写|作|来)一?[首篇段个]?(诗|词|歌|小说|故事|笑话|文章|作文)|[写作来]一[首篇段个].{0,16}(诗|词|歌|小说|故事|笑话)|诗歌|唐诗|宋词|笑话|段子|电影|电视剧|综艺|小说|股票|炒股|个股|概念股|股价|基金净值|彩票|菜谱|做菜|怎么做饭|星座|运势|算命|占卜|游戏攻略|世界杯|你是谁|你叫什么|谁开发|谁做的你|你是.{0,6}(开发|做)的|比赛比分|八卦|明星|\b(weather|poem|poetry|joke|jokes|movie|movies|film|stock tips?|stocks?|lottery|who (made|built|created) you|who are you|recipe|horoscope|song|lyrics|football|basketball)\b/i;

// Words jieba tags as places that are no particular other place.
const GENERIC_PLACES = ['中国', '全国', '国内', '我国', '国家', '本市', '全市', '全省', '各地', '地方', '区县', '县市', '市县', '当地', '本地', '各县', '城市', '地级市', '县域', '浙'];

const SUFFIX = /(特别行政区|自治区|自治州|地区|省|市|县|区|州)$/;

const GAZETTEER = JSON.parse(fs.readFileSync(new URL('./places-cn.json', import.meta.url), 'utf8')) as { provinces: string[]; cities: string[] };

export interface ScopeChecker {
  check(question: string): ScopeVerdict;
}

/** `corpus`: the text of every loaded document, to tell a place we hold documents about from one we don't. */
export function createScopeChecker(pack: Pack, corpus: string, tagger: Tagger): ScopeChecker {
  const allowed = new Set<string>(GENERIC_PLACES);
  const add = (name: string | undefined | null) => {
    if (!name) return;
    allowed.add(name);
    allowed.add(name.replace(SUFFIX, ''));
  };
  const m = pack.manifest;
  add(m.city);
  add(m.province);
  for (const r of pack.regions.regions) {
    add(r.name);
    r.aliases.forEach(add);
  }
  if (pack.regions.cityProper) {
    add(pack.regions.cityProper.name);
    pack.regions.cityProper.aliases.forEach(add);
    pack.regions.cityProper.members.forEach(add);
  }
  const isOurs = (place: string) =>
    allowed.has(place) || allowed.has(place.replace(SUFFIX, '')) || [...allowed].some((a) => a.length >= 2 && (place.startsWith(a) || a.startsWith(place)));
  const gazetteer = [...GAZETTEER.provinces, ...GAZETTEER.cities].filter((p) => !isOurs(p)).sort((a, b) => b.length - a.length);
  return {
    check(question) {
      const off = question.match(OFF_TOPIC);
      if (off) return { inScope: false, reason: 'off_topic', detail: off[0] };
      const named = new Set<string>();
      for (const { word, tag } of tagger.tag(question)) if (tag === 'ns' && word.length >= 2 && !isOurs(word)) named.add(word.replace(SUFFIX, '') || word);
      let rest = question;
      for (const p of gazetteer)
        if (rest.includes(p)) {
          named.add(p);
          rest = rest.split(p).join(' ');
        }
      const places = [...named];
      const unknown = places.find((p) => !corpus.includes(p));
      if (unknown) return { inScope: false, reason: 'other_place', detail: unknown };
      return { inScope: true, places };
    },
  };
}

/** True when a passage (text, headings, document title) is about one of `places`. */
export function mentionsAny(passage: string, places: string[]): boolean {
  return places.some((p) => passage.includes(p));
}
