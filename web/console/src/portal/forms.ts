/** Checks the portal's forms make before sending (the same rules merchant-svc applies). */

/** A mainland mobile number, 11 digits. */
export const PHONE_PATTERN = /^1[3-9]\d{9}$/

/** Coupon codes: as printed or read from the member's QR (no 0/O, 1/I; case does not matter). */
export const COUPON_PATTERN = /^[A-Za-z2-9]{4,20}$/

/** What a camera read from a member's QR, as a code to look up (the QR holds the code itself). */
export function couponCodeOf(scanned: string): string | null {
  const code = scanned.trim().toUpperCase()
  return COUPON_PATTERN.test(code) ? code : null
}

/** An http(s) address a webhook can be sent to, or photo evidence can be fetched from. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text.trim())
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

/** The photo links typed one per line (blank lines ignored). */
export function photoLinks(text: string): string[] {
  return text
    .split(/\s+/)
    .map((line) => line.trim())
    .filter(Boolean)
}
