/**
 * Contact details in a message, hidden from the other party until the order is paid, so a phone
 * number or an email address is not a way around paying through the platform.
 */
const EMAIL = /[\p{L}\p{N}._%+-]+\s*(?:@|\(at\)|\[at\])\s*[\p{L}\p{N}-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[\p{L}\p{N}-]+)+/giu;
/** Seven or more digits, optionally led by `+` and split by spaces, dots, dashes, slashes or brackets. */
const PHONE = /\+?\(?\d(?:[\s./()-]{0,3}\d){6,}/g;
/** Dates are digits too; `2026-12-03` or `03/12/2026` are not phone numbers. */
const DATE = /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})$/;

const EMAIL_MASK = "[email hidden]";
const PHONE_MASK = "[phone hidden]";

export function maskContacts(text: string): string {
  return text.replace(EMAIL, EMAIL_MASK).replace(PHONE, (match) => (DATE.test(match.trim()) ? match : PHONE_MASK));
}
