// SemVer 2.0.0 parsing and precedence, with the acceptance rules of OPA 1.x's semver package:
// strict SemVer 2.0.0 ("MAJOR.MINOR.PATCH[-PRERELEASE][+METADATA]", no leading zeros in numeric
// parts or numeric pre-release identifiers), an optional leading "v", numbers within int64.

/** A parsed version; numeric parts are exact (int64 range). */
export interface SemVer {
  major: bigint;
  minor: bigint;
  patch: bigint;
  preRelease: string[];
  metadata: string;
}

/** semver.org's regular expression, with OPA's optional leading "v". */
const NUM = '(?:0|[1-9]\\d*)';
const PRE_ID = '(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)';
const STRICT = new RegExp(`^v?${NUM}\\.${NUM}\\.${NUM}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?$`);
const IDENTIFIER = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const INT64_MAX = 2n ** 63n - 1n;

/** Why a version string is invalid, worded as OPA's semver package. */
export class SemVerError extends Error {}

function splitOff(s: string, delim: string): [string, string] {
  const i = s.indexOf(delim);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

// Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, int64 range.
function parseInt64(s: string): bigint {
  if (!/^[+-]?\d+$/.test(s)) throw new SemVerError(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > INT64_MAX || n < -INT64_MAX - 1n) throw new SemVerError(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/** Parse a version string; throws SemVerError when it is not valid. */
export function parseSemVer(version: string): SemVer {
  if (!STRICT.test(version)) throw new SemVerError(`${version} is not a valid SemVer 2.0.0 version`);
  if (version.startsWith('v')) version = version.slice(1);
  const [rest1, metadata] = splitOff(version, '+');
  const [core, pre] = splitOff(rest1, '-');
  const dotParts = core.split('.');
  if (dotParts.length < 3) throw new SemVerError(`${core} is not in dotted-tri format`);
  const parts = [dotParts[0]!, dotParts[1]!, dotParts.slice(2).join('.')];
  if (pre !== '' && !IDENTIFIER.test(pre)) throw new SemVerError(`failed to validate pre-release: ${pre} is not a valid semver identifier`);
  if (metadata !== '' && !IDENTIFIER.test(metadata)) throw new SemVerError(`failed to validate metadata: ${metadata} is not a valid semver identifier`);
  const [major, minor, patch] = parts.map(parseInt64) as [bigint, bigint, bigint];
  return { major, minor, patch, preRelease: pre === '' ? [] : pre.split('.'), metadata };
}

export function isValidSemVer(version: string): boolean {
  try {
    parseSemVer(version);
    return true;
  } catch {
    return false;
  }
}

const sign = (a: bigint, b: bigint): number => (a > b ? 1 : a < b ? -1 : 0);

// Go's strconv.Atoi: numeric identifiers sort before alphanumeric ones.
function asInt(s: string): bigint | undefined {
  return /^[+-]?\d+$/.test(s) && BigInt(s) <= INT64_MAX && BigInt(s) >= -INT64_MAX - 1n ? BigInt(s) : undefined;
}

function comparePreRelease(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const [x, y] = [a[i]!, b[i]!];
    const [xi, yi] = [asInt(x), asInt(y)];
    if (xi !== undefined && yi === undefined) return -1;
    if (xi === undefined && yi !== undefined) return 1;
    if (xi !== undefined && yi !== undefined && xi !== yi) return sign(xi, yi);
    if (x !== y) return x > y ? 1 : -1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** SemVer precedence: -1, 0 or 1 (build metadata ignored; a pre-release sorts before its release). */
export function compareSemVer(a: SemVer, b: SemVer): number {
  const core = sign(a.major, b.major) || sign(a.minor, b.minor) || sign(a.patch, b.patch);
  if (core !== 0) return core;
  if (a.preRelease.length === 0 && b.preRelease.length > 0) return 1;
  if (b.preRelease.length === 0 && a.preRelease.length > 0) return -1;
  return comparePreRelease(a.preRelease, b.preRelease);
}
