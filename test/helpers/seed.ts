// Seeds of the randomized tests. SEED=n replays a run (every test prints the seed it used). In CI (CI=true) a seed
// comes from the commit id mixed with the test's label: every commit tests new sequences, a red run replays exactly
// from its commit, and running the suite on a clean clone of a commit exercises what CI will run on it. Otherwise
// each run draws its seeds at random.
import { execFileSync } from 'node:child_process';

let commitBits: number | null | undefined;

/** The first 31 bits of HEAD's commit id, or null outside a git checkout. */
function headBits(): number | null {
  if (commitBits !== undefined) return commitBits;
  commitBits = null;
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (/^[0-9a-f]{40}$/.test(head)) commitBits = Number.parseInt(head.slice(0, 8), 16) >>> 1;
  } catch {
    // not a git checkout
  }
  return commitBits;
}

/** FNV-1a of the label: tests seeded from one commit still draw different sequences. */
function labelBits(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 1;
}

/** A seed in [0, 2^31): SEED when set, else commit-derived in CI, else random. */
export function testSeed(label: string): number {
  const fromEnv = process.env['SEED'];
  if (fromEnv !== undefined && fromEnv !== '') return Number(fromEnv);
  const head = process.env['CI'] === 'true' ? headBits() : null;
  if (head !== null) return (head ^ labelBits(label)) >>> 0;
  return Math.floor(Math.random() * 2 ** 31);
}
