// Zod types for the text forms settings arrive in: action inputs, CLI flags and environment
// variables are all strings, and '' means "not set" (the default is applied before these run).
import fs from 'node:fs';
import { z } from 'zod';

export const allowed = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${allowed(values)}` });

export const optionalText = z.string().transform((v) => (v.trim() === '' ? undefined : v));

/** Empty, or one of `values`. */
export const optionalOneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .refine((v) => v.trim() === '' || (values as readonly string[]).includes(v.trim()), {
      message: `must be empty or one of ${allowed(values)}`,
    })
    .transform((v) => (v.trim() === '' ? undefined : (v.trim() as T[number])));

export const booleanText = z
  .string()
  .refine((v) => /^(true|false)$/i.test(v.trim()), { message: 'must be "true" or "false"' })
  .transform((v) => v.trim().toLowerCase() === 'true');

export const integerText = (min: number, max: number, what: string) =>
  z
    .string()
    .refine((v) => /^\s*\d+\s*$/.test(v) && Number(v) >= min && Number(v) <= max, {
      message: `must be ${what}`,
    })
    .transform((v) => Number(v));

export const listText = z.string().transform((v) =>
  v
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean),
);

/** Environment variable names, as a shell would take them. */
export const envNamesText = listText.refine(
  (names) => names.every((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n)),
  {
    message:
      'must be environment variable names (letters, digits and _, not starting with a digit), comma-separated',
  },
);

export const httpUrlText = optionalText.refine((v) => v === undefined || isHttpUrl(v), {
  message: 'must be an http(s) URL such as "https://api.openai.com/v1", or empty',
});

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function readTextFile(p: string): string | undefined {
  try {
    return fs.statSync(p).isFile() ? fs.readFileSync(p, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

export function parseSchemaText(
  text: string,
  fail: (message: string) => void,
): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(`is not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('must be a JSON Schema object such as {"type":"object", ...}');
    return undefined;
  }
  return value as Record<string, unknown>;
}
