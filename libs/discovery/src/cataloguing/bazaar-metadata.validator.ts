import { createHash } from 'node:crypto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import { isValidRouteTemplate, validateDiscoveryExtensionSpec } from '@x402/extensions/bazaar';

/** A bazaar extension that passed every check: `info` matches its own JSON schema and the bazaar spec. */
export interface ValidBazaarExtension {
  info: Record<string, unknown> & { input: Record<string, unknown> };
  schema: Record<string, unknown>;
  routeTemplate?: string;
}

export type BazaarCheck = { ok: true; extension: ValidBazaarExtension } | { ok: false; reason: string };

const MAX_COMPILED = 500;
const MAX_REASON = 300;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `$ref` / `$id` that point outside the schema document (never fetched, always refused). */
function hasExternalReference(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasExternalReference);
  if (!isObject(node)) return false;
  for (const [key, value] of Object.entries(node)) {
    if ((key === '$ref' || key === '$id') && (typeof value !== 'string' || !value.startsWith('#'))) return true;
    if (hasExternalReference(value)) return true;
  }
  return false;
}

/**
 * Validates `extensions.bazaar` the way the SDK's facilitator helpers do (size first, then shape, no external
 * references, `info` against its JSON Schema 2020-12 with Ajv, the bazaar spec rules, the route template), but with
 * compiled validators cached by schema hash so a known resource costs one hash and one validation.
 */
export class BazaarMetadataValidator {
  private ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly maxBytes: number) {}

  check(raw: unknown): BazaarCheck {
    let json: string;
    try {
      json = JSON.stringify(raw) ?? '';
    } catch {
      return { ok: false, reason: 'bazaar extension is not serialisable JSON' };
    }
    const bytes = Buffer.byteLength(json);
    if (bytes > this.maxBytes)
      return { ok: false, reason: `bazaar extension is ${bytes} bytes, more than the ${this.maxBytes} accepted` };
    if (!isObject(raw) || !isObject(raw['info']) || !isObject(raw['schema']))
      return { ok: false, reason: 'bazaar extension must be an object with `info` and `schema` objects' };
    const info = raw['info'];
    const schema = raw['schema'];
    if (!isObject(info['input'])) return { ok: false, reason: 'bazaar info.input must be an object' };
    if (hasExternalReference(schema))
      return { ok: false, reason: 'bazaar schema must not contain external $ref/$id references' };

    let validate: ValidateFunction;
    try {
      validate = this.validatorFor(schema);
    } catch (error) {
      return { ok: false, reason: clip(`bazaar schema does not compile: ${(error as Error).message}`) };
    }
    if (!validate(info)) {
      const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
      return { ok: false, reason: clip(`bazaar info does not match its schema: ${errors.join('; ')}`) };
    }
    const spec = validateDiscoveryExtensionSpec(raw);
    if (!spec.valid) return { ok: false, reason: clip(`bazaar info breaks the spec: ${spec.errors?.join('; ')}`) };

    const template = raw['routeTemplate'];
    if (template !== undefined && (typeof template !== 'string' || !isValidRouteTemplate(template)))
      return { ok: false, reason: 'bazaar routeTemplate is not a valid route template' };
    return {
      ok: true,
      extension: {
        info: info as ValidBazaarExtension['info'],
        schema,
        ...(typeof template === 'string' ? { routeTemplate: template } : {}),
      },
    };
  }

  private validatorFor(schema: Record<string, unknown>): ValidateFunction {
    const key = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
    const known = this.compiled.get(key);
    if (known) return known;
    if (this.compiled.size >= MAX_COMPILED) {
      // Ajv keeps every compiled schema; a fresh instance bounds memory when many distinct schemas show up.
      this.compiled.clear();
      this.ajv = new Ajv2020({ strict: false, allErrors: true });
    }
    const validate = this.ajv.compile(schema);
    this.compiled.set(key, validate);
    return validate;
  }
}

function clip(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}
