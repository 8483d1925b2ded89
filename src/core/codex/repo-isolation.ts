// What keeps the checkout from configuring its own reviewer (measured with Codex 0.171.0 against
// the fake Responses API; test/e2e/base-rules.test.ts):
// - `project_doc_max_bytes=0`: Codex reads no AGENTS.md / AGENTS.override.md of the checkout.
// - `skills.include_instructions=false`: no skills catalog, so the skills under the checkout's
//   .codex/skills and .agents/skills are not offered to the model.
// - `projects={"<path>"={trust_level="untrusted"}}` for the paths Codex resolves trust under: the
//   checkout's .codex/ (config.toml with developer_instructions or model_instructions_file, hooks,
//   execpolicy rules, MCP servers) stays unloaded even when a `codex-home` marks the project
//   trusted. (`projects={}` does not do this: -c merges tables, so the trusted entry survives.)
// - `developer_instructions`: the repository's AGENTS.md as of the commit review rules come from,
//   as the first developer message. A -c override outranks every config file.

export interface RepositoryIsolation {
  /** Paths to mark untrusted (agent-instructions.ts projectTrustPaths). */
  untrusted: string[];
  /** AGENTS.md text from the rules' commit; undefined when the repository has none. */
  agentInstructions: string | undefined;
}

/** A TOML basic string (JSON's escaping misses DEL, which TOML refuses unescaped). */
export function tomlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export function isolationArgs(isolation: RepositoryIsolation): string[] {
  const projects = isolation.untrusted
    .map((p) => `${tomlString(p)}={trust_level="untrusted"}`)
    .join(',');
  const args = [
    '-c',
    'project_doc_max_bytes=0',
    '-c',
    'skills.include_instructions=false',
    '-c',
    `projects={${projects}}`,
  ];
  if (isolation.agentInstructions)
    args.push('-c', `developer_instructions=${tomlString(isolation.agentInstructions)}`);
  return args;
}
