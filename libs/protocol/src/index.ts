export * from './caip2/caip2';
export * from './codec/header.codec';
export * from './protocol.exception';
export * from './reason-codes/reason-codes';
export * from './v1/v1-compat';
export * from './wire/fingerprint';
export * from './wire/parse-facilitator-request';
export * from './wire/wire.schemas';
