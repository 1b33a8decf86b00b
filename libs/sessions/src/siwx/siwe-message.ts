import { getAddress, isAddress } from 'viem';
import { siwxRejected } from '../sessions.exception';

/**
 * The fields of an EIP-4361 (Sign-In with Ethereum) message — the CAIP-122 text an EVM wallet signs for x402 SIWx.
 * `chainId` is the numeric EIP-155 chain id (the CAIP-2 reference).
 */
export interface SiweMessageFields {
  /** Optional URI scheme of the domain (`https`), rendered as `scheme://domain`. */
  scheme?: string;
  domain: string;
  address: string;
  statement?: string;
  uri: string;
  version: string;
  chainId: number;
  nonce: string;
  issuedAt: string;
  expirationTime?: string;
  notBefore?: string;
  requestId?: string;
  resources?: string[];
}

const HEADER_SUFFIX = ' wants you to sign in with your Ethereum account:';
const NONCE = /^[a-zA-Z0-9]{8,}$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;
const DOMAIN = /^[^\s/?#]+$/;
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*$/;
const URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/;
const REQUEST_ID = /^[^\s]*$/;
/** EIP-4361 `statement = *( reserved / unreserved / " " )` (RFC 3986 character classes). */
const STATEMENT = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;= ]*$/;

const invalid = (what: string): never => {
  throw siwxRejected('invalid_siwx_message', `not a valid EIP-4361 message: ${what}`);
};

/** RFC 3339 date-time with real calendar values (the EIP-4361 `date-time`). */
export function isRfc3339DateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, , , oh, om] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return false;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return false;
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  return day <= daysInMonth && !Number.isNaN(Date.parse(value));
}

function isUri(value: string): boolean {
  if (!URI.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The EIP-55 address as it appears in the message: an all-lowercase or all-uppercase address is checksummed (as the
 * reference SIWE library does); a mixed-case address must already carry a valid checksum.
 */
export function siweAddress(address: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) invalid('address');
  const body = address.slice(2);
  const checksummed = getAddress(address);
  if (body === body.toLowerCase() || body === body.toUpperCase()) return checksummed;
  if (!isAddress(address, { strict: true }) || checksummed !== address) invalid('address checksum (EIP-55)');
  return address;
}

function validate(fields: SiweMessageFields): SiweMessageFields {
  if (fields.scheme !== undefined && !SCHEME.test(fields.scheme)) invalid('scheme');
  if (!fields.domain || !DOMAIN.test(fields.domain)) invalid('domain');
  const address = siweAddress(fields.address);
  if (fields.statement !== undefined && !STATEMENT.test(fields.statement)) invalid('statement (RFC 3986 characters)');
  if (!isUri(fields.uri)) invalid('uri');
  if (fields.version !== '1') invalid('version (must be "1")');
  if (!Number.isSafeInteger(fields.chainId) || fields.chainId < 1) invalid('chain id');
  if (!NONCE.test(fields.nonce)) invalid('nonce (at least 8 alphanumeric characters)');
  if (!isRfc3339DateTime(fields.issuedAt)) invalid('issued-at');
  if (fields.expirationTime !== undefined && !isRfc3339DateTime(fields.expirationTime)) invalid('expiration-time');
  if (fields.notBefore !== undefined && !isRfc3339DateTime(fields.notBefore)) invalid('not-before');
  if (fields.requestId !== undefined && !REQUEST_ID.test(fields.requestId)) invalid('request-id');
  if (fields.resources !== undefined && !fields.resources.every(isUri)) invalid('resources');
  return { ...fields, address };
}

/**
 * Renders the EIP-4361 message text, byte-identical to what the official x402 SIWx client signs
 * (`formatSIWEMessage`, i.e. the reference SIWE library's `prepareMessage`). Throws SIWX_REJECTED
 * (`invalid_siwx_message`) for fields the grammar does not allow.
 */
export function buildSiweMessage(input: SiweMessageFields): string {
  const f = validate(input);
  const header = `${f.scheme ? `${f.scheme}://${f.domain}` : f.domain}${HEADER_SUFFIX}`;
  const body = [`URI: ${f.uri}`, `Version: ${f.version}`, `Chain ID: ${f.chainId}`, `Nonce: ${f.nonce}`];
  body.push(`Issued At: ${f.issuedAt}`);
  if (f.expirationTime) body.push(`Expiration Time: ${f.expirationTime}`);
  if (f.notBefore) body.push(`Not Before: ${f.notBefore}`);
  if (f.requestId !== undefined) body.push(`Request ID: ${f.requestId}`);
  if (f.resources) body.push(['Resources:', ...f.resources.map((r) => `- ${r}`)].join('\n'));
  const prefix =
    f.statement === undefined
      ? `${header}\n${f.address}\n\n`
      : `${[`${header}\n${f.address}`, f.statement].join('\n\n')}\n`;
  return `${prefix}\n${body.join('\n')}`;
}

/** Parses an EIP-4361 message (strict: the exact line layout `buildSiweMessage` renders). Throws SIWX_REJECTED. */
export function parseSiweMessage(text: string): SiweMessageFields {
  const lines = text.split('\n');
  let i = 0;
  const next = (): string => (i < lines.length ? lines[i++] : invalid('unexpected end of message'));
  const header = next();
  if (!header.endsWith(HEADER_SUFFIX)) invalid('header line');
  let domain = header.slice(0, -HEADER_SUFFIX.length);
  let scheme: string | undefined;
  const schemeSep = domain.indexOf('://');
  if (schemeSep > 0) {
    scheme = domain.slice(0, schemeSep);
    domain = domain.slice(schemeSep + 3);
  }
  const address = next();
  if (next() !== '') invalid('blank line after the address');
  let statement: string | undefined;
  const afterBlank = next();
  if (afterBlank !== '') {
    statement = afterBlank;
    if (next() !== '') invalid('blank line after the statement');
  }
  const field = (name: string): string => {
    const line = next();
    if (!line.startsWith(`${name}: `)) invalid(`"${name}" line`);
    return line.slice(name.length + 2);
  };
  const optional = (name: string): string | undefined => {
    if (i < lines.length && lines[i].startsWith(`${name}: `)) return field(name);
    return undefined;
  };
  const uri = field('URI');
  const version = field('Version');
  const chainIdText = field('Chain ID');
  if (!/^[1-9][0-9]*$/.test(chainIdText)) invalid('chain id');
  const nonce = field('Nonce');
  const issuedAt = field('Issued At');
  const expirationTime = optional('Expiration Time');
  const notBefore = optional('Not Before');
  const requestId = optional('Request ID');
  let resources: string[] | undefined;
  if (i < lines.length && lines[i] === 'Resources:') {
    i++;
    resources = [];
    while (i < lines.length && lines[i].startsWith('- ')) resources.push(lines[i++].slice(2));
  }
  if (i !== lines.length) invalid(`unexpected line ${i + 1}`);
  const fields: SiweMessageFields = {
    domain,
    address,
    uri,
    version,
    chainId: Number(chainIdText),
    nonce,
    issuedAt,
  };
  if (scheme !== undefined) fields.scheme = scheme;
  if (statement !== undefined) fields.statement = statement;
  if (expirationTime !== undefined) fields.expirationTime = expirationTime;
  if (notBefore !== undefined) fields.notBefore = notBefore;
  if (requestId !== undefined) fields.requestId = requestId;
  if (resources !== undefined) fields.resources = resources;
  const validated = validate(fields);
  if (validated.address !== address) invalid('address checksum (EIP-55)');
  return fields;
}
