// Codex keeps one session ("rollout") file per thread:
// $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<timestamp>-<thread_id>.jsonl
import fs from 'node:fs';
import path from 'node:path';

export function listSessionFiles(codexHome: string): string[] {
  const files: string[] = [];
  const stack = [path.join(codexHome, 'sessions')];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.name.startsWith('rollout-') && entry.name.endsWith('.jsonl')) files.push(full);
    }
  }
  return files;
}

export function isThreadFile(file: string, threadId: string): boolean {
  return file.endsWith(`-${threadId}.jsonl`);
}
