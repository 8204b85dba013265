/**
 * A safe FTS5 MATCH expression for free text: every word becomes a quoted prefix phrase
 * (`"plumb"*`), so FTS5 operators and syntax in user input (`AND`, `NEAR(`, `*`, `"`) are just
 * text. Words are ANDed. Control characters separate words: FTS5's tokenizer drops them anyway, and a
 * NUL inside a phrase ends the MATCH string early (an "unterminated string" error).
 * Returns null when the input holds no letter or digit to search for.
 */
export function ftsMatchExpression(input: string): string | null {
  const words = input.split(/[\s\p{Cc}]+/u).filter((word) => /[\p{L}\p{N}]/u.test(word));
  if (!words.length) return null;
  return words.map((word) => `"${word.replaceAll('"', '""')}"*`).join(" ");
}
