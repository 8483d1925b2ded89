// The built-in `exec` output schema: the shape Codex's review mode uses, written to the
// Responses API's strict structured-output rules (every object closed, every property required,
// optional values nullable), so both modes feed the same publishing path. `suggestion` carries a
// committable fix in the same reply, so exec mode needs no second turn for `suggestions`.
export const BUILTIN_FINDINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['findings', 'overall_correctness', 'overall_explanation', 'overall_confidence_score'],
  properties: {
    findings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'body', 'confidence_score', 'priority', 'code_location', 'suggestion'],
        properties: {
          title: { type: 'string', description: 'Short imperative title, at most 80 characters.' },
          body: {
            type: 'string',
            description: 'Why this is a problem and how to fix it (Markdown).',
          },
          confidence_score: { type: 'number', minimum: 0, maximum: 1 },
          priority: {
            type: ['integer', 'null'],
            minimum: 0,
            maximum: 3,
            description: '0 is most severe.',
          },
          code_location: {
            type: 'object',
            additionalProperties: false,
            required: ['absolute_file_path', 'line_range'],
            properties: {
              absolute_file_path: { type: 'string' },
              line_range: {
                type: 'object',
                additionalProperties: false,
                required: ['start', 'end'],
                properties: { start: { type: 'integer' }, end: { type: 'integer' } },
              },
            },
          },
          suggestion: {
            type: ['string', 'null'],
            description:
              'Only for a concrete fix confined to exactly lines start..end of code_location: the full new text of those lines, ' +
              'as they should read after the fix (same indentation and line breaks). null when there is no such local fix.',
          },
        },
      },
    },
    overall_correctness: { type: 'string', enum: ['patch is correct', 'patch is incorrect'] },
    overall_explanation: { type: 'string' },
    overall_confidence_score: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;

/**
 * What a reply is checked against: the same schema, but a finding without `suggestion` (from an
 * endpoint that does not enforce strict output, or a reply shaped before the field existed) is a
 * finding without a fix, not a reply that breaks the run.
 */
export const BUILTIN_FINDINGS_REPLY_SCHEMA = {
  ...BUILTIN_FINDINGS_SCHEMA,
  properties: {
    ...BUILTIN_FINDINGS_SCHEMA.properties,
    findings: {
      ...BUILTIN_FINDINGS_SCHEMA.properties.findings,
      items: {
        ...BUILTIN_FINDINGS_SCHEMA.properties.findings.items,
        required: BUILTIN_FINDINGS_SCHEMA.properties.findings.items.required.filter(
          (name) => name !== 'suggestion',
        ),
      },
    },
  },
};
