// RFC 4122 / RFC 9562 UUIDs: parsing with google/uuid's accepted forms and field decoding as OPA's
// uuid.parse reports them; version-4 generation from 16 random bytes.

/** Decoded fields (keys as in OPA's uuid.parse result). */
export type UuidInfo = Record<string, string | number | bigint>;

const GREGORIAN_OFFSET = 122_192_928_000_000_000n; // 100ns ticks from 1582-10-15 to 1970-01-01

/** The 16 bytes of a UUID string, or undefined when google/uuid would reject it. */
export function uuidBytes(s: string): Uint8Array | undefined {
  let hex: string;
  if (s.length === 32) {
    hex = s;
  } else {
    let t = s;
    if (t.length === 45) {
      if (t.slice(0, 9).toLowerCase() !== 'urn:uuid:') return undefined;
      t = t.slice(9);
    } else if (t.length === 38) {
      if (t[0] !== '{' || t[37] !== '}') return undefined;
      t = t.slice(1, 37);
    } else if (t.length !== 36) {
      return undefined;
    }
    if (t[8] !== '-' || t[13] !== '-' || t[18] !== '-' || t[23] !== '-') return undefined;
    hex = t.slice(0, 8) + t.slice(9, 13) + t.slice(14, 18) + t.slice(19, 23) + t.slice(24);
  }
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  const b = new Uint8Array(16);
  for (let i = 0; i < 16; i++) b[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return b;
}

function variantName(b8: number): string {
  if ((b8 & 0xc0) === 0x80) return 'RFC4122';
  if ((b8 & 0xe0) === 0xc0) return 'Microsoft';
  if ((b8 & 0xe0) === 0xe0) return 'Future';
  return 'Reserved';
}

function macVariables(b: number): string {
  if ((b & 0b11) === 0b11) return 'local:multicast';
  if ((b & 0b01) === 0b01) return 'global:multicast';
  if ((b & 0b10) === 0b10) return 'local:unicast';
  return 'global:unicast';
}

const be = (b: Uint8Array, from: number, to: number): bigint => {
  let n = 0n;
  for (let i = from; i < to; i++) n = (n << 8n) | BigInt(b[i]!);
  return n;
};

// Unix nanoseconds of the embedded timestamp (versions 1 and 2), wrapped to int64 as OPA's Go
// arithmetic does (a zero timestamp gives 6227451273709551616).
function timeNs(b: Uint8Array): bigint {
  const ticks = ((be(b, 6, 8) & 0xfffn) << 48n) | (be(b, 4, 6) << 32n) | be(b, 0, 4);
  return BigInt.asIntN(64, (ticks - GREGORIAN_OFFSET) * 100n);
}

const DOMAINS = ['Person', 'Group', 'Org'];

/** Decode a UUID string as OPA's uuid.parse does, or undefined when it is not a UUID. */
export function parseUuid(s: string): UuidInfo | undefined {
  const b = uuidBytes(s);
  if (!b) return undefined;
  const version = b[6]! >> 4;
  const out: UuidInfo = { version, variant: variantName(b[8]!) };
  if (version === 1 || version === 2) {
    out.time = timeNs(b);
    out.nodeid = [...b.slice(10)].map((x) => x.toString(16).padStart(2, '0')).join('-');
    out.macvariables = macVariables(b[10]!);
    out.clocksequence = Number(be(b, 8, 10) & 0x3fffn);
    if (version === 2) {
      out.id = Number(be(b, 0, 4));
      out.domain = DOMAINS[b[9]!] ?? `Domain${b[9]}`;
    }
  }
  // OPA 1.22.3 reports only version and variant for every other version (3 to 8 included).
  return out;
}

/** A version-4 UUID string from 16 random bytes (the version and variant bits are set). */
export function formatUuidV4(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes.slice(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
