// Reading a session ("rollout") file without holding it: it records the model's whole replies,
// so a 50 MB reply makes it several 50 MB lines (the response item, the agent message, the
// review output), hundreds of megabytes in all. Readers want a few lines of one type, and the
// type is named at the start of each line; other lines are skipped as they stream past.
import fs from 'node:fs';

/** How much of a line's start is searched for the wanted type (it comes in the first ~200 bytes). */
const HEAD_BYTES = 64 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/**
 * The lines of `file` whose first HEAD_BYTES hold `needle` (a line shorter than that is
 * searched whole), in order; a torn last line is yielded too. Memory: one chunk, plus the lines
 * yielded.
 */
export function* linesStartingWith(file: string, needle: string): Generator<string> {
  const wanted = Buffer.from(needle, 'utf8');
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(CHUNK_BYTES);
    let parts: Buffer[] = [];
    let size = 0;
    // undefined: not decided yet (the line's start is still being read).
    let keep: boolean | undefined;
    const take = (piece: Buffer) => {
      if (keep === false || piece.length === 0) return;
      parts.push(Buffer.from(piece));
      size += piece.length;
      if (keep === undefined && size >= HEAD_BYTES) {
        keep = Buffer.concat(parts).subarray(0, HEAD_BYTES).includes(wanted);
        if (!keep) parts = [];
      }
    };
    const end = function* () {
      if (keep !== false && size > 0) {
        const line = Buffer.concat(parts);
        if (keep || line.includes(wanted)) yield line.toString('utf8');
      }
      parts = [];
      size = 0;
      keep = undefined;
    };
    for (;;) {
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      let at = 0;
      for (;;) {
        const newline = chunk.indexOf(10, at);
        if (newline < 0 || newline >= read) {
          take(chunk.subarray(at, read));
          break;
        }
        take(chunk.subarray(at, newline));
        yield* end();
        at = newline + 1;
      }
    }
    yield* end();
  } finally {
    fs.closeSync(fd);
  }
}
