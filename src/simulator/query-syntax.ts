/**
 * What ISC's collection filters (filters.ts) and its search query language (search.ts) share: the
 * tokenizer (punctuation of the syntax's choosing, double-quoted strings with backslash escapes, words:
 * anything else up to whitespace, punctuation or a quote) and the parser's frame (a cursor, the 400 it
 * throws, and the `or`/`and` chains, `and` binding tighter, keywords in any case).
 */
import { badRequest } from './errors';

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

/** A recursive-descent parser over one syntax's tokens; subclasses parse the operands. */
export abstract class BooleanParser<P extends string, N> {
  protected pos = 0;

  constructor(
    protected readonly tokens: Token<P>[],
    protected readonly source: string,
    /** What the input is called in errors: `filter`, `search query`. */
    private readonly label: string,
  ) {}

  /** `expression` over the whole input: anything left after it is an error. */
  protected whole(expression: () => N): N {
    const node = expression();
    if (this.pos !== this.tokens.length) this.fail('unexpected trailing input');
    return node;
  }

  protected fail(why: string): never {
    throw badRequest(`Invalid ${this.label} "${this.source}": ${why}`);
  }

  /** The current token when it is a word, upper-cased: keywords are case-insensitive. */
  protected keyword(): string | undefined {
    const token = this.tokens[this.pos];
    return token?.t === 'word' && 'v' in token ? token.v.toUpperCase() : undefined;
  }

  /** The node joining two operands with `and` or `or`. */
  protected abstract binary(kind: 'and' | 'or', left: N, right: N): N;

  /** `operand (kind operand)*`, folded to the left. */
  protected chain(kind: 'and' | 'or', operand: () => N): N {
    let left = operand();
    while (this.keyword() === kind.toUpperCase()) {
      this.pos++;
      left = this.binary(kind, left, operand());
    }
    return left;
  }
}
