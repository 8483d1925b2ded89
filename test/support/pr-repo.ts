// A repository shaped for publishing tests: a pull request that changes app.js in two hunks
// and util.js far from the finding placed on it, and leaves untouched.js alone.
import { GitRepo } from './git-repo.js';

export const lines = (n: number, label: string) =>
  Array.from({ length: n }, (_, i) => `// ${label} line ${i + 1}`);

export function prRepo(): { repo: GitRepo; baseSha: string; headSha: string } {
  const repo = GitRepo.create();
  repo.write('app.js', `${lines(30, 'app').join('\n')}\n`);
  repo.write('util.js', `${lines(60, 'util').join('\n')}\n`);
  repo.write('untouched.js', `${lines(5, 'untouched').join('\n')}\n`);
  const baseSha = repo.commit('base');
  repo.git('checkout', '-q', '-b', 'feature');
  const app = lines(30, 'app');
  app.splice(3, 0, 'const risky = JSON.parse(input); // added at line 4');
  app.splice(20, 0, 'function a() {', '  return b();', '}'); // added at 21-23
  repo.write('app.js', `${app.join('\n')}\n`);
  const util = lines(60, 'util');
  util[1] = '// util line 2, changed';
  repo.write('util.js', `${util.join('\n')}\n`);
  const headSha = repo.commit('feature work');
  return { repo, baseSha, headSha };
}
