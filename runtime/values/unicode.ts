// Python's character classes and case mappings where JavaScript's differ: whitespace, line
// boundaries, title case, case folding, numeric characters. CPython 3.12 uses Unicode 15.0; the
// JS engine may know newer characters, which are excluded where it matters (digits).
import { isPrintableChar } from './strings.ts';

/** What str.isspace(), split() and strip() treat as whitespace; JS's \s also has U+FEFF and lacks \x1c-\x1f and \x85. */
export function isSpace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c <= 0x20) return (c >= 0x09 && c <= 0x0d) || c >= 0x1c;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Whether JS's trim() strips exactly what Python's strip() does from `s`. */
export const trimIsExact = (s: string): boolean => !/[\x1c-\x1f\x85\ufeff]/.test(s);

/** The line boundaries of str.splitlines() (\r\n counts as one). */
export const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/g;

const cased = /\p{Cased}/u;
const caseIgnorable = /\p{Case_Ignorable}/u;
const upperChar = /\p{Uppercase}/u;
const lowerChar = /\p{Lowercase}/u;
const titleChar = /\p{Lt}/u;

/** A capital sigma lowers to ς at the end of a word (CPython's handle_capital_sigma). */
function lowerAt(chars: string[], i: number): string {
  if (chars[i] !== '\u03a3') return chars[i].toLowerCase();
  let j = i - 1;
  while (j >= 0 && caseIgnorable.test(chars[j])) j--;
  let final = j >= 0 && cased.test(chars[j]);
  if (final) {
    j = i + 1;
    while (j < chars.length && caseIgnorable.test(chars[j])) j++;
    final = j === chars.length || !cased.test(chars[j]);
  }
  return final ? '\u03c2' : '\u03c3';
}

// Title case differs from upper case for digraphs (ǆ → ǅ), Georgian, and Greek letters with
// iota subscript; SpecialCasing gives the multi-character ones.
const DIGRAPH_TITLE: Record<number, number> = { 0x1c4: 0x1c5, 0x1c6: 0x1c5, 0x1c7: 0x1c8, 0x1c9: 0x1c8, 0x1ca: 0x1cb, 0x1cc: 0x1cb, 0x1f1: 0x1f2, 0x1f3: 0x1f2 };
const IOTA_TITLE: Record<number, number> = { 0x1fb3: 0x1fbc, 0x1fc3: 0x1fcc, 0x1ff3: 0x1ffc };

function titleOf(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (c in DIGRAPH_TITLE) return String.fromCodePoint(DIGRAPH_TITLE[c]);
  if (c in IOTA_TITLE) return String.fromCodePoint(IOTA_TITLE[c]);
  if ((c >= 0x10d0 && c <= 0x10ff) || titleChar.test(ch)) return ch;
  if (c >= 0x1f80 && c <= 0x1faf) return String.fromCodePoint(c | 8);
  if (c === 0x149) return '\u02bcN';
  const upper = Array.from(ch.toUpperCase());
  if (upper.length === 1) return upper[0];
  // A multi-letter expansion keeps its first letter capital (ß → Ss; ᾲ → Ὰͅ).
  const rest = upper.slice(1).join('').toLowerCase().replace(/\u03b9$/, c >= 0x1f80 ? '\u0345' : '\u03b9');
  return upper[0] + rest;
}

export function title(s: string): string {
  const chars = Array.from(s);
  let out = '';
  let previousCased = false;
  for (let i = 0; i < chars.length; i++) {
    out += previousCased ? lowerAt(chars, i) : titleOf(chars[i]);
    previousCased = cased.test(chars[i]);
  }
  return out;
}

export function capitalize(s: string): string {
  const chars = Array.from(s);
  let out = chars.length > 0 ? titleOf(chars[0]) : '';
  for (let i = 1; i < chars.length; i++) out += lowerAt(chars, i);
  return out;
}

export function swapcase(s: string): string {
  const chars = Array.from(s);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    if (upperChar.test(chars[i])) out += lowerAt(chars, i);
    else if (lowerChar.test(chars[i])) out += chars[i].toUpperCase();
    else out += chars[i];
  }
  return out;
}

export function istitle(s: string): boolean {
  let anyCased = false;
  let previousCased = false;
  for (const ch of s) {
    if (upperChar.test(ch) || titleChar.test(ch)) {
      if (previousCased) return false;
      previousCased = anyCased = true;
    } else if (lowerChar.test(ch)) {
      if (!previousCased) return false;
      previousCased = anyCased = true;
    } else previousCased = false;
  }
  return anyCased;
}

/** Full case folding: lower case, except that folding also expands (ß → ss) and Cherokee folds up. */
export function casefold(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0x131 || (c >= 0x13a0 && c <= 0x13f5)) out += ch;
    else if (c >= 0x13f8 && c <= 0x13fd) out += String.fromCodePoint(c - 8);
    else if (c >= 0xab70 && c <= 0xabbf) out += String.fromCodePoint(c - 0xab70 + 0x13a0);
    else out += ch.toLowerCase().toUpperCase().toLowerCase();
  }
  return out;
}

// Digits added after Unicode 15.0, which Python 3.12 does not know.
const NEWER_DIGITS = '\\u{10d40}-\\u{10d49}\\u{116d0}-\\u{116e3}\\u{11bf0}-\\u{11bf9}\\u{11de0}-\\u{11de9}\\u{16130}-\\u{16139}\\u{16d70}-\\u{16d79}\\u{16ff4}-\\u{16ff6}\\u{1ccf0}-\\u{1ccf9}\\u{1e5f1}-\\u{1e5fa}';
// Characters with a digit value that are not decimal digits (superscripts, circled digits).
const DIGIT_EXTRA = '\\xb2\\xb3\\xb9\\u1369-\\u1371\\u19da\\u2070\\u2074-\\u2079\\u2080-\\u2089\\u2460-\\u2468\\u2474-\\u247c\\u2488-\\u2490\\u24ea\\u24f5-\\u24fd\\u24ff\\u2776-\\u277e\\u2780-\\u2788\\u278a-\\u2792\\u{10a40}-\\u{10a43}\\u{10e60}-\\u{10e68}\\u{11052}-\\u{1105a}\\u{1f100}-\\u{1f10a}';
// CJK ideographs with a numeric value (Unihan), numeric in Python though not in category N.
const HAN_NUMERIC =
  '\\u3405\\u3483\\u382a\\u3b4d\\u4e00\\u4e03\\u4e07\\u4e09\\u4e5d\\u4e8c\\u4e94\\u4e96\\u4ebf\\u4ec0\\u4edf\\u4ee8\\u4f0d\\u4f70\\u5104\\u5146\\u5169\\u516b\\u516d\\u5341\\u5343-\\u5345\\u534c\\u53c1-\\u53c4\\u56db\\u58f1\\u58f9\\u5e7a\\u5efe\\u5eff\\u5f0c-\\u5f0e\\u5f10\\u62fe\\u634c\\u67d2\\u6f06\\u7396\\u767e\\u8086\\u842c\\u8cae\\u8cb3\\u8d30\\u9621\\u9646\\u964c\\u9678\\u96f6\\uf96b\\uf973\\uf978\\uf9b2\\uf9d1\\uf9d3\\uf9fd\\u{20001}\\u{20064}\\u{200e2}\\u{20121}\\u{2092a}\\u{20983}\\u{2098c}\\u{2099c}\\u{20aea}\\u{20afd}\\u{20b19}\\u{22390}\\u{22998}\\u{23b1b}\\u{2626d}\\u{2f890}';

const decimalRun = new RegExp(`^(?:(?![${NEWER_DIGITS}])\\p{Nd})+$`, 'u');
const digitRun = new RegExp(`^(?:(?![${NEWER_DIGITS}])[\\p{Nd}${DIGIT_EXTRA}])+$`, 'u');
const numericRun = new RegExp(`^(?:(?![${NEWER_DIGITS}])[\\p{N}${HAN_NUMERIC}])+$`, 'u');

export const isDecimal = (s: string): boolean => decimalRun.test(s);
export const isDigit = (s: string): boolean => digitRun.test(s);
export const isNumeric = (s: string): boolean => numericRun.test(s);
export const isIdentifier = (s: string): boolean => /^[\p{XID_Start}_]\p{XID_Continue}*$/u.test(s);

/** str.isprintable(): every character is one repr shows as is (see isPrintableChar). */
export const isPrintable = (s: string): boolean => {
  for (const ch of s) if (!isPrintableChar(ch)) return false;
  return true;
};

/** str.isupper(): some upper-case letter, and no lower- or title-case one. */
export function isUpper(s: string): boolean {
  let any = false;
  for (const ch of s) {
    if (lowerChar.test(ch) || titleChar.test(ch)) return false;
    if (upperChar.test(ch)) any = true;
  }
  return any;
}

/** str.islower(): some lower-case letter, and no upper- or title-case one. */
export function isLower(s: string): boolean {
  let any = false;
  for (const ch of s) {
    if (upperChar.test(ch) || titleChar.test(ch)) return false;
    if (lowerChar.test(ch)) any = true;
  }
  return any;
}
