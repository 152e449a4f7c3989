import { CairnError } from '../core/errors.js';

/** Reads fields of a saved encoder, throwing INVALID_ARGUMENT that names the encoder and the field. */
export class JsonReader {
  private readonly body: Record<string, unknown>;

  constructor(
    private readonly what: string,
    json: unknown,
  ) {
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      this.fail('the JSON is not an object');
    this.body = json as Record<string, unknown>;
    if (this.body.version !== 1)
      this.fail(`version is ${JSON.stringify(this.body.version)}; this Cairn reads version 1`);
  }

  string(key: string): string {
    const v = this.body[key];
    if (typeof v !== 'string') this.fail(`'${key}' is not a string`);
    return v;
  }

  number(key: string): number {
    const v = this.body[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`'${key}' is not a finite number`);
    return v;
  }

  boolean(key: string): boolean {
    const v = this.body[key];
    if (typeof v !== 'boolean') this.fail(`'${key}' is not true or false`);
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.body[key];
    if (!values.includes(v as T))
      this.fail(`'${key}' is ${JSON.stringify(v)}; expected one of ${values.join(', ')}`);
    return v as T;
  }

  strings(key: string): string[] {
    const v = this.body[key];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
      this.fail(`'${key}' is not a list of strings`);
    return v;
  }

  numbers(key: string, length?: number): Float64Array {
    const v = this.body[key];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      this.fail(`'${key}' is not a list of finite numbers`);
    }
    if (length !== undefined && v.length !== length)
      this.fail(`'${key}' has ${v.length} values; expected ${length}`);
    return Float64Array.from(v as number[]);
  }

  fail(why: string): never {
    throw new CairnError('INVALID_ARGUMENT', `cannot load ${this.what} encoder: ${why}`);
  }
}
