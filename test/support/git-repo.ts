import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class GitRepo {
  constructor(readonly dir: string) {}

  static create(prefix = 'codex-review-repo-'): GitRepo {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
    const repo = new GitRepo(dir);
    repo.git('init', '-q', '-b', 'main');
    repo.git('config', 'user.email', 'dev@example.com');
    repo.git('config', 'user.name', 'Dev');
    repo.git('config', 'commit.gpgsign', 'false');
    return repo;
  }

  /** A clone of `source` (file:// so that --depth is honoured). */
  static clone(source: GitRepo, args: string[] = []): GitRepo {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'codex-review-clone-')));
    execFileSync('git', ['clone', '-q', ...args, `file://${source.dir}`, dir]);
    return new GitRepo(dir);
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8' }).trim();
  }

  write(file: string, content: string): this {
    const full = path.join(this.dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
    return this;
  }

  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  path(file: string): string {
    return path.join(this.dir, file);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A repository with main and a feature branch that changes app.js; HEAD is the feature. */
export function featureRepo(): { repo: GitRepo; baseSha: string; headSha: string } {
  const repo = GitRepo.create();
  repo.write('app.js', 'export function ratio(a, b) {\n  return a / b;\n}\n');
  repo.write('README.md', '# demo\n');
  const baseSha = repo.commit('initial');
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write(
    'app.js',
    'export function ratio(a, b) {\n  return a / b;\n}\n\nexport function mean(xs) {\n  return xs.reduce((s, x) => s + x, 0) / xs.length;\n}\n',
  );
  const headSha = repo.commit('add mean');
  return { repo, baseSha, headSha };
}
