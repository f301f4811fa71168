/**
 * The tokenizer shared by ISC's collection filters (filters.ts) and its search query language
 * (search.ts): punctuation of the syntax's choosing, double-quoted strings with backslash escapes, and
 * words (anything else up to whitespace, punctuation or a quote).
 */

/** A token: one of the syntax's punctuation kinds, a quoted string (unescaped), or a bare word. */
export type Token<P extends string> = { t: P } | { t: 'string' | 'word'; v: string };

/** Reads the quoted string whose opening quote is at `start`; returns its value and the index after it. */
function quoted(input: string, start: number, unterminated: () => Error): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= input.length) throw unterminated();
    const c = input.charAt(i);
    if (c === '\\' && i + 1 < input.length) {
      value += input.charAt(i + 1);
      i += 2;
    } else if (c === '"') {
      return { value, end: i + 1 };
    } else {
      value += c;
      i++;
    }
  }
}

/**
 * Splits `input` into tokens. `punctuation` maps each punctuation character to its token kind;
 * `unterminated` is the error thrown for a string without its closing quote.
 */
export function tokenize<P extends string>(
  input: string,
  punctuation: Readonly<Record<string, P>>,
  unterminated: () => Error,
): Token<P>[] {
  const tokens: Token<P>[] = [];
  const breaksWord = (c: string): boolean => /\s/.test(c) || c === '"' || Object.hasOwn(punctuation, c);
  let i = 0;
  while (i < input.length) {
    const c = input.charAt(i);
    const kind = Object.hasOwn(punctuation, c) ? punctuation[c] : undefined;
    if (/\s/.test(c)) {
      i++;
    } else if (kind !== undefined) {
      tokens.push({ t: kind });
      i++;
    } else if (c === '"') {
      const { value, end } = quoted(input, i, unterminated);
      tokens.push({ t: 'string', v: value });
      i = end;
    } else {
      const start = i;
      while (i < input.length && !breaksWord(input.charAt(i))) i++;
      tokens.push({ t: 'word', v: input.slice(start, i) });
    }
  }
  return tokens;
}
