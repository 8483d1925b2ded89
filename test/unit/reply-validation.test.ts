import { describe, expect, it } from 'vitest';
import { validateReply, type ReplyCheck } from '../../src/core/exec/reply.js';
import { BUILTIN_FINDINGS_REPLY_SCHEMA } from '../../src/core/review/builtin-schema.js';

function reply(overrides: Record<string, unknown> = {}) {
  return {
    findings: [
      {
        title: 'Close the file handle',
        body: 'The handle leaks when `parse` throws.',
        confidence_score: 0.8,
        priority: 1,
        code_location: { absolute_file_path: '/repo/src/a.ts', line_range: { start: 3, end: 5 } },
      },
    ],
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'One leak.',
    overall_confidence_score: 0.7,
    ...overrides,
  };
}

function errorsOf(check: ReplyCheck): string[] {
  if (check.ok) throw new Error(`expected the reply to fail, got ${JSON.stringify(check.value)}`);
  return check.errors;
}

const check = (value: unknown) =>
  validateReply(JSON.stringify(value), BUILTIN_FINDINGS_REPLY_SCHEMA);

describe('validateReply', () => {
  it('passes a reply that matches the schema and returns the parsed value', () => {
    const value = reply({ findings: [{ ...reply().findings[0], priority: null }] });
    expect(
      validateReply(`\n${JSON.stringify(value, null, 2)}\n`, BUILTIN_FINDINGS_REPLY_SCHEMA),
    ).toEqual({ ok: true, value });
  });

  it('fails a reply that leaves out a required field, naming the field', () => {
    const value = reply();
    delete (value as Partial<typeof value>).overall_confidence_score;
    const result = check(value);
    expect(errorsOf(result)).toEqual([
      '(root): must have the required property "overall_confidence_score"',
    ]);
    expect(result.value).toEqual(value);
  });

  it('fails a field of the wrong type, naming its path and the type it got', () => {
    const finding = { ...reply().findings[0], title: 42 };
    expect(errorsOf(check(reply({ findings: [finding] })))).toEqual([
      '/findings/0/title: must be string (got integer)',
    ]);
  });

  it('fails a property the schema does not declare', () => {
    const finding = { ...reply().findings[0], severity: 'high' };
    expect(errorsOf(check(reply({ findings: [finding] })))).toEqual([
      '/findings/0: must NOT have the additional property "severity"',
    ]);
  });

  it('fails a value outside the enum and lists the allowed values', () => {
    expect(errorsOf(check(reply({ overall_correctness: 'looks fine' })))).toEqual([
      '/overall_correctness: must be one of "patch is correct", "patch is incorrect" (got "looks fine")',
    ]);
  });

  it('reports every mismatch at once, each with its path', () => {
    const finding = { ...reply().findings[0], confidence_score: 2, extra: true };
    const errors = errorsOf(check(reply({ findings: [finding], overall_explanation: null })));
    expect(errors).toEqual([
      '/findings/0: must NOT have the additional property "extra"',
      '/findings/0/confidence_score: must be <= 1',
      '/overall_explanation: must be string (got null)',
    ]);
  });

  it('fails a reply that is prose rather than JSON, with the parse error and no value', () => {
    const result = validateReply(
      'Here is the audit: {"findings": []}',
      BUILTIN_FINDINGS_REPLY_SCHEMA,
    );
    expect(result.ok).toBe(false);
    expect(result.value).toBeUndefined();
    const errors = errorsOf(result);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\(root\): the reply is not JSON: .*Unexpected token/);
  });

  it('fails an empty reply and says it is empty', () => {
    expect(errorsOf(validateReply('  \n', BUILTIN_FINDINGS_REPLY_SCHEMA))).toEqual([
      '(root): the reply is not JSON: it is empty',
    ]);
  });

  it('checks string formats declared in the schema', () => {
    const schema = {
      type: 'object',
      properties: { contact: { type: 'string', format: 'email' } },
      required: ['contact'],
      additionalProperties: false,
    };
    expect(validateReply('{"contact": "a@example.com"}', schema).ok).toBe(true);
    expect(errorsOf(validateReply('{"contact": "nobody"}', schema))).toEqual([
      '/contact: must match format "email"',
    ]);
  });

  it('follows $ref into $defs, and uses draft-07 when the schema declares it', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { steps: { type: 'array', items: { $ref: '#/definitions/step' } } },
      required: ['steps'],
      additionalProperties: false,
      definitions: {
        step: {
          type: 'object',
          properties: { output: { type: 'string' } },
          required: ['output'],
          additionalProperties: false,
        },
      },
    };
    expect(validateReply('{"steps": [{"output": "x"}]}', schema).ok).toBe(true);
    expect(errorsOf(validateReply('{"steps": [{"output": 1}]}', schema))).toEqual([
      '/steps/0/output: must be string (got integer)',
    ]);
  });

  it('still validates when the schema declares a $schema Ajv does not know', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      properties: { a: { type: 'string' } },
      required: ['a'],
      additionalProperties: false,
    };
    expect(validateReply('{"a": "x"}', schema)).toEqual({ ok: true, value: { a: 'x' } });
    expect(errorsOf(validateReply('{}', schema))).toEqual([
      '(root): must have the required property "a"',
    ]);
  });

  it('fails with the compile error when the schema itself is broken', () => {
    const schema = { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } };
    const result = validateReply('{"a": 1}', schema);
    expect(result.value).toEqual({ a: 1 });
    expect(errorsOf(result)[0]).toMatch(/^\(schema\): the output schema cannot be compiled: /);
  });
});
