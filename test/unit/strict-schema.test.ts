import { describe, expect, it } from 'vitest';
import {
  formatViolations,
  lintStrictSchema,
  type SchemaViolation,
} from '../../src/core/exec/strict-schema.js';
import { BUILTIN_FINDINGS_SCHEMA } from '../../src/core/review/builtin-schema.js';

type Schema = Record<string, unknown>;

/** A closed object that lists every property as required: strict by construction. */
function closed(properties: Record<string, unknown>, extra: Schema = {}): Schema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
    ...extra,
  };
}

const paths = (schema: unknown) => lintStrictSchema(schema).map((v) => v.path);

/** The one violation a schema has; fails with the whole list when there are more or none. */
function onlyViolation(schema: unknown): SchemaViolation {
  const violations = lintStrictSchema(schema);
  expect(violations, JSON.stringify(violations, null, 2)).toHaveLength(1);
  return violations[0];
}

function builtinCopy(): Schema {
  return structuredClone(BUILTIN_FINDINGS_SCHEMA) as unknown as Schema;
}

describe('lintStrictSchema on schemas the Responses API accepts', () => {
  it('finds nothing wrong with the built-in findings schema', () => {
    expect(lintStrictSchema(BUILTIN_FINDINGS_SCHEMA)).toEqual([]);
  });

  it('accepts a recursive schema whose items refer back to the root with "$ref": "#"', () => {
    const ui = closed({
      type: { type: 'string', enum: ['div', 'button', 'header', 'section', 'field', 'form'] },
      label: { type: 'string' },
      children: { type: 'array', items: { $ref: '#' } },
      attributes: {
        type: 'array',
        items: closed({ name: { type: 'string' }, value: { type: 'string' } }),
      },
    });
    expect(lintStrictSchema(ui)).toEqual([]);
  });

  it('accepts a linked list defined under $defs that refers to itself through anyOf with null', () => {
    const schema = closed(
      { linked_list: { $ref: '#/$defs/node' } },
      {
        $defs: {
          node: closed({
            value: { type: 'number' },
            next: { anyOf: [{ $ref: '#/$defs/node' }, { type: 'null' }] },
          }),
        },
      },
    );
    expect(lintStrictSchema(schema)).toEqual([]);
  });

  it('accepts a draft-07 schema that keeps its subschemas under "definitions"', () => {
    const schema = closed(
      { step: { $ref: '#/definitions/step' } },
      {
        $schema: 'http://json-schema.org/draft-07/schema#',
        definitions: { step: closed({ output: { type: 'string' } }) },
      },
    );
    expect(lintStrictSchema(schema)).toEqual([]);
  });

  it('accepts nullable optional fields and every documented string, number and array constraint', () => {
    const schema = closed({
      nickname: { type: ['string', 'null'], pattern: '^@[a-z]+$', minLength: 2, maxLength: 30 },
      email: { type: 'string', format: 'email' },
      when: { type: 'string', format: 'date-time' },
      score: { type: 'number', minimum: 0, exclusiveMaximum: 10, multipleOf: 0.5 },
      tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 5 },
      kind: { const: 'audit', description: 'fixed', title: 'Kind' },
    });
    expect(lintStrictSchema(schema)).toEqual([]);
  });
});

describe('lintStrictSchema at the root', () => {
  it('rejects a root that is an array rather than an object', () => {
    const v = onlyViolation({ type: 'array', items: { type: 'string' } });
    expect(v.path).toBe('#/type');
    expect(v.problem).toContain('must be "type": "object"');
    expect(v.fix).toContain('"properties": {"result": <this schema>}');
  });

  it('rejects a root with anyOf even when every branch is a strict object', () => {
    const v = onlyViolation({
      anyOf: [closed({ ok: { type: 'boolean' } }), closed({ error: { type: 'string' } })],
    });
    expect(v.path).toBe('#/anyOf');
    expect(v.problem).toContain('the root uses "anyOf"');
    expect(v.fix).toContain('"anyOf": […]');
  });

  it('rejects a schema that is not a JSON object at all', () => {
    for (const notASchema of [[], 'object', null, 42]) {
      const v = onlyViolation(notASchema);
      expect(v.path).toBe('#');
      expect(v.problem).toContain('not a JSON object');
    }
  });

  it('accepts the 2019-09 meta-schema URI and meta-validates against that draft', () => {
    const $schema = 'https://json-schema.org/draft/2019-09/schema#';
    expect(lintStrictSchema(closed({ a: { type: 'string' } }, { $schema }))).toEqual([]);
    const v = onlyViolation(closed({ a: { type: 'strng' } }, { $schema }));
    expect(v.problem).toMatch(/^not valid JSON Schema \(2019-09\)/);
  });

  it('rejects a $schema URI that differs from the official one only by http/https', () => {
    const v = onlyViolation(
      closed({ a: { type: 'string' } }, { $schema: 'http://json-schema.org/draft/2020-12/schema' }),
    );
    expect(v.path).toBe('#/$schema');
  });

  it('rejects a $schema that names a draft Ajv is not set up for here', () => {
    const v = onlyViolation(
      closed({ a: { type: 'string' } }, { $schema: 'http://json-schema.org/draft-04/schema#' }),
    );
    expect(v.path).toBe('#/$schema');
    expect(v.fix).toContain('https://json-schema.org/draft/2020-12/schema');
  });
});

describe('lintStrictSchema on objects', () => {
  it('asks for "additionalProperties": false when an object leaves it out', () => {
    const schema = closed({ a: { type: 'string' } });
    delete schema.additionalProperties;
    const v = onlyViolation(schema);
    expect(v).toEqual({
      path: '#',
      problem: 'this object does not set "additionalProperties": false',
      fix: 'add "additionalProperties": false to this object',
    });
  });

  it('rejects "additionalProperties": true', () => {
    const v = onlyViolation(closed({ a: { type: 'string' } }, { additionalProperties: true }));
    expect(v.path).toBe('#/additionalProperties');
    expect(v.problem).toContain('is true');
    expect(v.fix).toContain('set "additionalProperties": false');
  });

  it('rejects "additionalProperties" given as a schema for map values', () => {
    const v = onlyViolation(
      closed({ a: { type: 'string' } }, { additionalProperties: { type: 'string' } }),
    );
    expect(v.path).toBe('#/additionalProperties');
    expect(v.problem).toContain('is a schema');
  });

  it('points at a property missing from "required" and says how to keep it optional', () => {
    const schema = closed({ name: { type: 'string' }, nickname: { type: 'string' } });
    schema.required = ['name'];
    const v = onlyViolation(schema);
    expect(v.path).toBe('#/properties/nickname');
    expect(v.problem).toContain('"nickname" is not listed in "required"');
    expect(v.fix).toBe(
      'add "nickname" to "required" at # and, to keep it optional, make it nullable: "type": ["string", "null"]',
    );
  });

  it('does not ask to make a property nullable when it already allows null', () => {
    const schema = closed({ name: { type: 'string' }, nickname: { type: ['string', 'null'] } });
    schema.required = ['name'];
    expect(onlyViolation(schema).fix).toBe(
      'add "nickname" to "required" at # (it already allows null, so it stays optional)',
    );
  });

  it('suggests wrapping a $ref property in anyOf with null to keep it optional', () => {
    const schema = closed(
      { a: { type: 'string' }, b: { $ref: '#/$defs/b' } },
      { $defs: { b: { type: 'string' } } },
    );
    schema.required = ['a'];
    expect(onlyViolation(schema).fix).toContain('"anyOf": [<its schema>, {"type": "null"}]');
  });

  it('lists every property when an object has no "required" at all', () => {
    const schema = closed({ a: { type: 'string' }, b: { type: 'integer' } });
    delete schema.required;
    const v = onlyViolation(schema);
    expect(v.path).toBe('#');
    expect(v.fix).toContain('add "required": ["a","b"]');
  });

  it('rejects a "required" entry that is not a declared property', () => {
    const schema = closed({ a: { type: 'string' } });
    schema.required = ['a', 'ghost'];
    const v = onlyViolation(schema);
    expect(v.path).toBe('#/required');
    expect(v.problem).toContain('"ghost"');
  });

  it('escapes "/" and "~" in property names in the path', () => {
    const schema = closed({ 'a/b~c': { type: 'string' } });
    schema.required = [];
    expect(paths(schema)).toEqual(['#/properties/a~1b~0c']);
  });
});

describe('lintStrictSchema on keywords', () => {
  const unsupported: [string, unknown, string][] = [
    ['allOf', [{ type: 'string' }], 'merge the "allOf" branches'],
    ['oneOf', [{ type: 'string' }], 'replace "oneOf" with "anyOf"'],
    ['not', { type: 'number' }, 'remove "not"'],
    ['if', { type: 'string' }, 'remove the conditional'],
    ['then', { type: 'string' }, 'remove the conditional'],
    ['else', { type: 'string' }, 'remove the conditional'],
    ['dependentRequired', { a: ['b'] }, 'every property is always required'],
    ['dependentSchemas', { a: { type: 'object' } }, '"anyOf"'],
    ['patternProperties', { '^x_': { type: 'string' } }, 'fixed set of keys'],
    ['propertyNames', { pattern: '^a' }, 'fixed set of keys'],
    ['unevaluatedProperties', false, 'fixed set of keys'],
    ['minProperties', 1, 'fixed set of keys'],
    ['prefixItems', [{ type: 'string' }], 'one "items" schema'],
    ['contains', { type: 'string' }, 'one "items" schema'],
    ['uniqueItems', true, 'de-duplicate'],
    ['default', 'n/a', 'mention the default in "description"'],
    ['examples', ['x'], 'put an example in "description"'],
    ['$id', 'https://example.com/x', '"$ref": "#/$defs/<name>"'],
  ];

  it.each(unsupported)('reports "%s" at the keyword itself, with a fix', (keyword, value, fix) => {
    const v = onlyViolation(closed({ field: { type: 'string', [keyword]: value } }));
    expect(v.path).toBe(`#/properties/field/${keyword}`);
    expect(v.problem).toBe(`"${keyword}" is not a keyword Structured Outputs supports`);
    expect(v.fix).toContain(fix);
  });

  it('suggests the keyword a misspelled one was probably meant to be', () => {
    const v = onlyViolation(closed({ field: { type: 'string', descripton: 'typo' } }));
    expect(v.path).toBe('#/properties/field/descripton');
    expect(v.fix).toBe('did you mean "description"? Otherwise remove "descripton"');
  });

  it('rejects a string format the API does not list', () => {
    const v = onlyViolation(closed({ site: { type: 'string', format: 'uri' } }));
    expect(v.path).toBe('#/properties/site/format');
    expect(v.fix).toContain('"date-time"');
  });

  it('rejects a subschema that declares no type and so allows any value', () => {
    const v = onlyViolation(closed({ anything: {} }));
    expect(v.path).toBe('#/properties/anything');
    expect(v.problem).toContain('declares no "type"');
  });

  it('rejects an array without "items"', () => {
    const v = onlyViolation(closed({ list: { type: 'array' } }));
    expect(v.path).toBe('#/properties/list');
    expect(v.problem).toContain('no "items"');
  });

  it('rejects tuple-style "items" in a draft-07 schema', () => {
    const v = onlyViolation(
      closed(
        { pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] } },
        { $schema: 'http://json-schema.org/draft-07/schema#' },
      ),
    );
    expect(v.path).toBe('#/properties/pair/items');
    expect(v.problem).toContain('tuple');
  });

  it('rejects a boolean subschema', () => {
    const v = onlyViolation(closed({ list: { type: 'array', items: true } }));
    expect(v.path).toBe('#/properties/list/items');
    expect(v.problem).toContain('boolean schema true');
  });
});

describe('lintStrictSchema meta-validation with Ajv', () => {
  it('reports a misspelled type name as invalid JSON Schema, with the allowed names', () => {
    const v = onlyViolation(closed({ a: { type: 'strng' } }));
    expect(v.path).toBe('#/properties/a/type');
    expect(v.problem).toMatch(/^not valid JSON Schema \(2020-12\): "type" must be equal to one/);
    expect(v.fix).toBe(
      'change "type" to one of "array", "boolean", "integer", "null", "number", "object", "string"',
    );
  });

  it('reports "required" that is not an array', () => {
    const schema = closed({ a: { type: 'string' } });
    schema.required = 'a';
    const v = onlyViolation(schema);
    expect(v.path).toBe('#/required');
    expect(v.problem).toBe('not valid JSON Schema (2020-12): "required" must be array');
  });

  it('reports a number constraint given as a string', () => {
    const v = onlyViolation(closed({ n: { type: 'number', minimum: '0' } }));
    expect(v.path).toBe('#/properties/n/minimum');
    expect(v.problem).toContain('must be number');
  });

  it('reports tuple "items" as invalid under the default draft 2020-12', () => {
    const schema = closed({ pair: { type: 'array', items: [{ type: 'string' }] } });
    expect(paths(schema)).toContain('#/properties/pair/items');
    expect(lintStrictSchema(schema)[0].problem).toContain('not valid JSON Schema (2020-12)');
  });

  it('reports a pattern that is not a valid regular expression where it is', () => {
    const v = onlyViolation(closed({ p: { type: 'string', pattern: '[a-z' } }));
    expect(v.path).toBe('#/properties/p/pattern');
    expect(v.problem).toContain('not a valid regular expression');
  });
});

describe('lintStrictSchema on $ref', () => {
  it('rejects a $ref to another document', () => {
    const v = onlyViolation(closed({ a: { $ref: 'https://example.com/common.json#/$defs/a' } }));
    expect(v.path).toBe('#/properties/a/$ref');
    expect(v.problem).toContain('points outside the schema');
    expect(v.fix).toContain('"$ref": "#/$defs/<name>"');
  });

  it('rejects a $ref to a definition that does not exist', () => {
    const v = onlyViolation(closed({ a: { $ref: '#/$defs/missing' } }, { $defs: {} }));
    expect(v.path).toBe('#/properties/a/$ref');
    expect(v.problem).toContain('does not resolve');
  });

  it('rejects a $ref into the schema that is not "#" or a definition', () => {
    const v = onlyViolation(closed({ a: { type: 'string' }, b: { $ref: '#/properties/a' } }));
    expect(v.path).toBe('#/properties/b/$ref');
    expect(v.problem).toContain('does not point at a definition');
  });

  it('rejects a $ref that carries sibling keywords', () => {
    const v = onlyViolation(
      closed(
        { a: { $ref: '#/$defs/a', description: 'the a' } },
        { $defs: { a: { type: 'string' } } },
      ),
    );
    expect(v.path).toBe('#/properties/a');
    expect(v.problem).toContain('"description"');
  });
});

describe('lintStrictSchema reaches every subschema', () => {
  it('finds an open object nested inside array items, by its exact path', () => {
    const schema = builtinCopy();
    const findings = (schema.properties as Schema).findings as Schema;
    const item = findings.items as Schema;
    const location = (item.properties as Schema).code_location as Schema;
    delete location.additionalProperties;
    expect(paths(schema)).toEqual(['#/properties/findings/items/properties/code_location']);
  });

  it('finds a property missing from "required" in an object two arrays deep', () => {
    const cell = closed({ v: { type: 'string' }, note: { type: 'string' } });
    cell.required = ['v'];
    const schema = closed({
      rows: { type: 'array', items: { type: 'array', items: cell } },
    });
    expect(paths(schema)).toEqual(['#/properties/rows/items/items/properties/note']);
  });

  it('checks each anyOf branch on its own', () => {
    const schema = closed({
      value: {
        anyOf: [
          { type: 'string' },
          { type: 'object', properties: { x: { type: 'string' } }, required: ['x'] },
        ],
      },
    });
    expect(paths(schema)).toEqual(['#/properties/value/anyOf/1']);
  });

  it('checks a $defs entry that a $ref uses', () => {
    const step = closed({ explanation: { type: 'string' }, output: { type: 'string' } });
    step.required = ['explanation'];
    const schema = closed(
      { steps: { type: 'array', items: { $ref: '#/$defs/step' } } },
      { $defs: { step } },
    );
    expect(paths(schema)).toEqual(['#/$defs/step/properties/output']);
  });

  it('checks $defs and definitions entries that nothing refers to', () => {
    const schema = closed(
      { a: { type: 'string' } },
      {
        $defs: { unused: { type: 'object', properties: {}, required: [] } },
        definitions: { legacy: closed({ b: { type: 'string' } }, { additionalProperties: true }) },
      },
    );
    expect(paths(schema)).toEqual(['#/$defs/unused', '#/definitions/legacy/additionalProperties']);
  });

  it('reports several problems in one schema, each at its own path', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { type: 'string', default: '' },
        b: { type: 'object', properties: {} },
      },
      required: ['a'],
    };
    expect(paths(schema)).toEqual([
      '#',
      '#/properties/b',
      '#/properties/a/default',
      '#/properties/b',
    ]);
  });
});

describe('lintStrictSchema size limits', () => {
  it('flags the object nested one level deeper than the documented 10, and only that one', () => {
    let inner: Schema = closed({ leaf: { type: 'string' } });
    for (let i = 0; i < 10; i++) inner = closed({ next: inner });
    // The root plus ten `next` levels hold eleven objects.
    const v = onlyViolation(inner);
    expect(v.path).toBe(`#${'/properties/next'.repeat(10)}`);
    expect(v.problem).toContain('11 levels');
  });

  it('accepts exactly 10 levels of nested objects', () => {
    let inner: Schema = closed({ leaf: { type: 'string' } });
    for (let i = 0; i < 9; i++) inner = closed({ next: inner });
    expect(lintStrictSchema(inner)).toEqual([]);
  });

  it('flags more than 5000 object properties in total', () => {
    const properties = Object.fromEntries(
      Array.from({ length: 5001 }, (_, i) => [`p${i}`, { type: 'string' }]),
    );
    const v = onlyViolation(closed(properties));
    expect(v.path).toBe('#');
    expect(v.problem).toContain('5001 object properties');
  });

  it('flags more than 1000 enum values across the schema', () => {
    const values = (prefix: string) => Array.from({ length: 501 }, (_, i) => `${prefix}${i}`);
    const v = onlyViolation(
      closed({
        a: { type: 'string', enum: values('a') },
        b: { type: 'string', enum: values('b') },
      }),
    );
    expect(v.path).toBe('#');
    expect(v.problem).toContain('1002 enum values');
  });

  it('flags one string enum of more than 250 values that is longer than 15,000 characters', () => {
    const values = Array.from({ length: 300 }, (_, i) => `${'x'.repeat(60)}${i}`);
    const v = onlyViolation(closed({ a: { type: 'string', enum: values } }));
    expect(v.path).toBe('#/properties/a/enum');
    expect(v.problem).toContain('300 string values');
  });
});

describe('formatViolations', () => {
  const violations: SchemaViolation[] = [
    { path: '#', problem: 'problem one', fix: 'fix one' },
    { path: '#/properties/a', problem: 'problem two', fix: 'fix two' },
    { path: '#/properties/b', problem: 'problem three', fix: 'fix three' },
  ];

  it('prints each violation with its path and its fix under a heading that counts them', () => {
    expect(formatViolations(violations).split('\n')).toEqual([
      'The output schema has 3 problems; the Responses API rejects such a schema for strict structured output, and only after the run has started:',
      '- #: problem one',
      '  fix: fix one',
      '- #/properties/a: problem two',
      '  fix: fix two',
      '- #/properties/b: problem three',
      '  fix: fix three',
    ]);
  });

  it('stops after max violations and says how many more there are', () => {
    const lines = formatViolations(violations, 1).split('\n');
    expect(lines.slice(1)).toEqual(['- #: problem one', '  fix: fix one', '- … and 2 more']);
  });

  it('is empty when there is nothing to report', () => {
    expect(formatViolations([])).toBe('');
  });

  it('formats real lint output readably', () => {
    const text = formatViolations(lintStrictSchema({ type: 'object', properties: {} }));
    expect(text).toContain('The output schema has 1 problem;');
    expect(text).toContain('- #: this object does not set "additionalProperties": false');
  });
});
