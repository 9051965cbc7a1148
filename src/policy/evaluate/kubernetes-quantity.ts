// Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity): a signed decimal number and a suffix,
// binary ("Ki" .. "Ei"), decimal ("n", "u", "m", "", "k", "M" .. "E") or a decimal exponent ("e3", "E-2").
// Values are kept exact (digits, a power of ten, a power of two) so that "0.5" and "500m" compare equal.

export interface Quantity {
  readonly text: string;
  readonly digits: bigint;
  readonly pow10: number;
  readonly pow2: number;
}

const QUANTITY_RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d{1,3}|n|u|m|k|M|G|T|P|E|)$/;
const BINARY: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const MAX_LENGTH = 64;

/** The quantity `text` spells, or undefined when it is not one. */
export function parseQuantity(text: string): Quantity | undefined {
  if (text.length > MAX_LENGTH) return undefined;
  const m = QUANTITY_RE.exec(text);
  if (m === null) return undefined;
  const [, sign, number, suffix] = m as unknown as [string, string, string, string];
  const [whole, fraction = ''] = number.split('.');
  let digits = BigInt(`${whole === '' ? '0' : whole}${fraction}`);
  if (sign === '-') digits = -digits;
  let pow10 = -fraction.length;
  let pow2 = 0;
  if (Object.hasOwn(BINARY, suffix)) pow2 = BINARY[suffix]!;
  else if (Object.hasOwn(DECIMAL, suffix)) pow10 += DECIMAL[suffix]!;
  else pow10 += Number(suffix.slice(1));
  return { text, digits, pow10, pow2 };
}

/** Negative when `a` is less than `b`. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const p10 = Math.min(a.pow10, b.pow10);
  const p2 = Math.min(a.pow2, b.pow2);
  const scale = (q: Quantity): bigint => q.digits * 10n ** BigInt(q.pow10 - p10) * 2n ** BigInt(q.pow2 - p2);
  const x = scale(a);
  const y = scale(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
