// Python's repr of a str: the quote it picks, and the escapes it writes.

// Python prints a character as is when it is "printable": not a control, format, surrogate,
// private-use or unassigned character, and not a separator other than the space.
const notPrintable = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
export const isPrintableChar = (ch: string): boolean => ch === ' ' || !notPrintable.test(ch);

function escape(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code < 0x100) return '\\x' + code.toString(16).padStart(2, '0');
  if (code < 0x10000) return '\\u' + code.toString(16).padStart(4, '0');
  return '\\U' + code.toString(16).padStart(8, '0');
}

/** `repr(s)`: single quotes unless the text has a `'` and no `"`. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (!isPrintableChar(ch)) out += escape(ch);
    else out += ch;
  }
  return out + quote;
}
