/**
 * "Did you mean" suggestions for misspelt option names. Pure: safe anywhere.
 * @module
 */

/** Edit distance (insertions, deletions, substitutions, and swaps of two neighbours) between two short strings. */
export function editDistance(a: string, b: string): number {
  // Option names are short; the cap keeps a hostile 1 MB key from costing seconds.
  const s = a.slice(0, 64);
  const t = b.slice(0, 64);
  const rows: number[][] = [];
  for (let i = 0; i <= s.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= t.length; j++) {
      if (i === 0) {
        rows[0]!.push(j);
        continue;
      }
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]!.push(best);
    }
  }
  return rows[s.length]![t.length]!;
}

/**
 * The known name closest to `input`, when one is close enough to be a likely typo: compared case-insensitively with
 * the whole name and with its leading camel-case words (so `jiter` finds `jitterRatio` through `jitter`).
 */
export function didYouMean(input: string, known: readonly string[]): string | undefined {
  const typed = input.toLowerCase();
  // Roughly one slip per three letters, at least one, at most three.
  const allowed = Math.min(3, Math.max(1, Math.round(typed.length / 3)));
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    // A prefix match costs half a slip more, so a close whole name wins a tie.
    let distance = Math.min(
      ...prefixesOf(name).map((p, i) => editDistance(typed, p.toLowerCase()) + (i === 0 ? 0 : 0.5)),
    );
    // Same first two words, another ending (`maxBodySize` for `maxBodyBytes`): likely, but after closer spellings.
    if (distance > allowed && sharedLeadingWords(input, name) >= 2) distance = allowed;
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** `jitterRatio` → `['jitterRatio', 'jitter']`: the name, then its camel-case prefixes of two letters or more. */
function prefixesOf(name: string): string[] {
  const out = [name];
  for (let i = 2; i < name.length; i++) {
    const c = name[i]!;
    if (c >= 'A' && c <= 'Z') out.push(name.slice(0, i));
  }
  return out;
}

/** How many camel-case words two names start with in common, ignoring case: `maxBodySize`, `maxBodyBytes` → 2. */
function sharedLeadingWords(a: string, b: string): number {
  const wa = wordsOf(a);
  const wb = wordsOf(b);
  let n = 0;
  while (n < wa.length && n < wb.length && wa[n] === wb[n]) n++;
  return n;
}

function wordsOf(name: string): string[] {
  return name.split(/(?=[A-Z])/).map((w) => w.toLowerCase());
}
