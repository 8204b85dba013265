/** Card checks done before any gateway sees the card. Only brand and last4 ever leave this module. */

export const digitsOnly = (number: string) => number.replace(/[\s-]/g, "");

export function passesLuhn(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** "MM/YY" → month and four-digit year, or null if malformed. */
export function parseExpiry(text: string): { month: number; year: number } | null {
  const match = /^(0[1-9]|1[0-2])\/(\d{2})$/.exec(text.trim());
  return match ? { month: Number(match[1]), year: 2000 + Number(match[2]) } : null;
}

/** A card is valid through the last day of its expiry month (UTC). */
export function isExpired(expiry: { month: number; year: number }, now: Date): boolean {
  const firstDayAfter = Date.UTC(expiry.year, expiry.month, 1);
  return now.getTime() >= firstDayAfter;
}

export function cardBrand(digits: string): string {
  const prefix2 = Number(digits.slice(0, 2));
  const prefix4 = Number(digits.slice(0, 4));
  if (digits.startsWith("4")) return "visa";
  if ((prefix2 >= 51 && prefix2 <= 55) || (prefix4 >= 2221 && prefix4 <= 2720)) return "mastercard";
  if (prefix2 === 34 || prefix2 === 37) return "amex";
  if (prefix4 === 6011 || prefix2 === 65 || (prefix4 >= 6440 && prefix4 <= 6499)) return "discover";
  return "unknown";
}

export const last4 = (digits: string) => digits.slice(-4);
