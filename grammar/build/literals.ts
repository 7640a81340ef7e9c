// Number and string literals with Python's rules: underscores in numbers, escape sequences,
// raw and bytes prefixes, adjacent-literal concatenation and f-string parts.
import type { IToken } from 'chevrotain';
import type { Expr } from '../ast.ts';
import * as T from '../tokens.ts';
import { type Context, report, span } from './context.ts';

const intForms: Record<string, RegExp> = {
  Int: /^\d+(?:_\d+)*$/,
  Hex: /^0[xX](?:_?[0-9a-fA-F])+$/,
  Bin: /^0[bB](?:_?[01])+$/,
  Oct: /^0[oO](?:_?[0-7])+$/,
};

export function intLiteral(cx: Context, token: IToken): Expr {
  const text = token.image;
  const form = intForms[token.tokenType.name];
  const at = span(cx, token);
  if (!form.test(text)) {
    report(cx, 'JAC_SYNTAX_INVALID', `invalid number literal '${text}': '_' may only separate digits`, at);
    return { kind: 'Int', value: 0n, span: at };
  }
  const clean = text.replace(/_/g, '');
  const value = token.tokenType === T.Oct ? BigInt('0o' + clean.slice(2)) : BigInt(clean);
  return { kind: 'Int', value, span: at };
}

export function floatLiteral(cx: Context, token: IToken): Expr {
  return { kind: 'Float', value: Number(token.image), span: span(cx, token) };
}

interface StringParts {
  value: string;
  isBytes: boolean;
  isRaw: boolean;
}

/** Splits a string token into prefix and body and decodes the body. */
export function decodeString(cx: Context, token: IToken): StringParts {
  const m = /^([rRbB]*)("""|'''|"|')/.exec(token.image)!;
  const prefix = m[1].toLowerCase();
  const quote = m[2];
  const isRaw = prefix.includes('r');
  const isBytes = prefix.includes('b');
  let body = token.image.slice(m[0].length);
  // An unterminated string was already reported by the lexical checks in parse().
  if (token.tokenType !== T.UnterminatedString) body = body.slice(0, body.length - quote.length);
  const value = isRaw ? body : unescape(cx, token, body, isBytes);
  if (isBytes && /[^\x00-\x7f]/.test(body)) {
    report(cx, 'JAC_SYNTAX_INVALID', 'bytes can only contain ASCII literal characters', span(cx, token));
  }
  return { value, isBytes, isRaw };
}

const simpleEscapes: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '',
};

/** Python escape sequences; unknown ones keep their backslash, as Python does. */
export function unescape(cx: Context, token: IToken, body: string, isBytes: boolean): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e in simpleEscapes) {
      out += simpleEscapes[e];
    } else if (e === '\r') {
      if (body[i + 1] === '\n') i++;
    } else if (e >= '0' && e <= '7') {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out += String.fromCodePoint(parseInt(digits, 8));
      i += digits.length - 1;
    } else if (e === 'N' && !isBytes) {
      report(cx, 'JAC_SYNTAX_INVALID', 'named escapes (\\N{...}) are not supported: write the character, or \\u followed by its 4 hex digits', span(cx, token));
      out += '\\N';
    } else if (e === 'x' || (!isBytes && (e === 'u' || e === 'U'))) {
      const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + width);
      const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === width ? parseInt(hex, 16) : NaN;
      if (Number.isNaN(code) || code > 0x10ffff) {
        report(cx, 'JAC_SYNTAX_INVALID', `invalid \\${e} escape in string: expected ${width} hex digits`, span(cx, token));
        out += '\\' + e;
      } else {
        out += String.fromCodePoint(code);
        i += width;
      }
    } else {
      out += '\\' + e;
    }
  }
  return out;
}

/** The text of an f-string piece: `{{`/`}}` are braces; 0.8.0 keeps backslashes as written. */
export function fstringText(token: IToken): string {
  return token.tokenType === T.FStringBraceEscape ? token.image[0] : token.image;
}

/** Concatenates adjacent pieces; an all-literal run is one Str, otherwise an FString. */
export function joinStrings(cx: Context, tokens: IToken[], pieces: { isBytes: boolean; parts: (string | Expr)[] }[]): Expr {
  const at = span(cx, tokens[0], tokens[tokens.length - 1]);
  const bytes = pieces.filter((p) => p.isBytes).length;
  if (bytes > 0 && bytes < pieces.length) report(cx, 'JAC_SYNTAX_INVALID', 'cannot mix bytes and nonbytes literals', at);
  const parts: (string | Expr)[] = [];
  for (const piece of pieces) {
    for (const part of piece.parts) {
      if (typeof part === 'string' && typeof parts[parts.length - 1] === 'string') parts[parts.length - 1] += part;
      else if (part !== '') parts.push(part);
    }
  }
  const isFString = parts.some((p) => typeof p !== 'string');
  if (isFString) return { kind: 'FString', parts, span: at };
  return { kind: 'Str', value: (parts[0] as string | undefined) ?? '', isBytes: bytes > 0, span: at };
}
