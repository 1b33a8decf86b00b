/**
 * Wire names shared by the session service, the resource-server SDK and the client wrapper.
 *
 * - `PAYMENT-SESSION` carries a session token: request header (client → resource server) and response header
 *   (resource server → client, after the payment that bought the session, or with a refreshed token).
 * - `SIGN-IN-WITH-X` and the `sign-in-with-x` extension key are the official x402 SIWx names (CAIP-122 proof).
 */
export const SESSION_HEADER = 'PAYMENT-SESSION';
export const SIWX_HEADER = 'SIGN-IN-WITH-X';
export const SIWX_EXTENSION_KEY = 'sign-in-with-x';
/** JWS `typ` of a session token. */
export const SESSION_TOKEN_TYPE = 'x402-session+jwt';
/** Signature algorithms a session token may use. */
export const SESSION_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type SessionTokenAlgorithm = (typeof SESSION_TOKEN_ALGORITHMS)[number];
