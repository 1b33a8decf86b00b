import type { CatalogEntry } from '../catalog/catalog-entry';

const STOPWORDS = new Set([
  'a',
  'an',
  'and',
  'api',
  'for',
  'http',
  'https',
  'in',
  'of',
  'on',
  'or',
  'the',
  'to',
  'with',
  'www',
]);
const K1 = 1.2;
const B = 0.75;

/** Lower-case word tokens (letters/digits), without stopwords and one-letter tokens. */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 1 && !STOPWORDS.has(t));
}

/** Texts of an entry with their weights: names and tags count most, then description, path, schema words. */
export function weightedFields(entry: CatalogEntry): [string, number][] {
  const fields: [string, number][] = [];
  if (entry.serviceName) fields.push([entry.serviceName, 3]);
  if (entry.tags) fields.push([entry.tags.join(' '), 3]);
  if (entry.toolName) fields.push([entry.toolName, 3]);
  if (entry.description) fields.push([entry.description, 2]);
  try {
    fields.push([new URL(entry.resourceUrl).pathname, 1.5]);
  } catch {
    fields.push([entry.resourceUrl, 1.5]);
  }
  const bazaar = entry.extensions?.['bazaar'] as { info?: unknown } | undefined;
  if (bazaar?.info) fields.push([schemaWords(bazaar.info), 0.5]);
  return fields;
}

/** Property names, descriptions and string examples inside bazaar info (bounded). */
function schemaWords(value: unknown, out: string[] = [], depth = 0): string {
  if (depth > 6 || out.length > 200) return out.join(' ');
  if (typeof value === 'string') out.push(value.slice(0, 200));
  else if (Array.isArray(value)) value.slice(0, 50).forEach((v) => schemaWords(v, out, depth + 1));
  else if (value && typeof value === 'object')
    for (const [key, v] of Object.entries(value).slice(0, 50)) {
      out.push(key);
      schemaWords(v, out, depth + 1);
    }
  return out.join(' ');
}

interface Doc {
  key: string;
  terms: Map<string, number>;
  length: number;
}

/**
 * An in-memory BM25 index over the catalog (weighted fields; a query token also matches longer terms it prefixes,
 * at half weight). Rebuilt from the entries when the catalog changes; 10k entries index in milliseconds.
 */
export class TextIndex {
  private readonly docs: Doc[] = [];
  private readonly postings = new Map<string, number[]>();
  private readonly vocabulary: string[];
  private readonly avgLength: number;

  constructor(entries: readonly CatalogEntry[]) {
    let total = 0;
    for (const entry of entries) {
      const terms = new Map<string, number>();
      let length = 0;
      for (const [text, weight] of weightedFields(entry))
        for (const token of tokenize(text)) {
          terms.set(token, (terms.get(token) ?? 0) + weight);
          length += weight;
        }
      const id = this.docs.push({ key: entry.resourceUrl, terms, length }) - 1;
      for (const term of terms.keys()) {
        const list = this.postings.get(term);
        if (list) list.push(id);
        else this.postings.set(term, [id]);
      }
      total += length;
    }
    this.vocabulary = [...this.postings.keys()].sort();
    this.avgLength = this.docs.length > 0 ? total / this.docs.length : 1;
  }

  /** Text relevance per resourceUrl (> 0 only for matches). */
  score(query: string): Map<string, number> {
    const scores = new Float64Array(this.docs.length);
    const touched: number[] = [];
    const n = this.docs.length;
    for (const token of new Set(tokenize(query))) {
      for (const [term, factor] of this.expand(token)) {
        const list = this.postings.get(term) ?? [];
        const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
        for (const id of list) {
          const doc = this.docs[id];
          const tf = doc.terms.get(term) ?? 0;
          const part = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * doc.length) / this.avgLength));
          if (scores[id] === 0) touched.push(id);
          scores[id] += factor * part;
        }
      }
    }
    const out = new Map<string, number>();
    for (const id of touched) out.set(this.docs[id].key, scores[id]);
    return out;
  }

  /** The token itself (weight 1) and, for tokens of 3+ characters, terms it prefixes (weight 0.5, at most 20). */
  private expand(token: string): [string, number][] {
    const out: [string, number][] = this.postings.has(token) ? [[token, 1]] : [];
    if (token.length < 3) return out;
    let lo = 0;
    let hi = this.vocabulary.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.vocabulary[mid] < token) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.vocabulary.length && out.length < 21; i++) {
      const term = this.vocabulary[i];
      if (!term.startsWith(token)) break;
      if (term !== token) out.push([term, 0.5]);
    }
    return out;
  }
}
