/**
 * The TypeScript blocks of a markdown page, for the docs test (test/unit/docs-code-blocks.test.ts) and the consumer
 * test, which runs the README's quick start. A fence `ts fragment` marks a deliberately incomplete block;
 * `file=NAME.ts` names the file a block is written to.
 */

/** One fenced TypeScript block. */
export interface CodeBlock {
  readonly page: string;
  /** 1-based line of the block's first code line in the page. */
  readonly line: number;
  readonly code: string;
  readonly fragment: boolean;
  readonly file?: string;
}

/** The ```ts / ```typescript blocks of a markdown page; throws on a fence word it does not know. */
export function typeScriptBlocks(page: string, markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) throw new Error(`${page}:${i + 1}: unclosed code fence`);
    if (open[1] === 'ts' || open[1] === 'typescript') {
      let fragment = false;
      let file: string | undefined;
      for (const word of open[2]!.trim().split(/\s+/).filter(Boolean)) {
        if (word === 'fragment') fragment = true;
        else if (/^file=[\w.-]+\.ts$/.test(word)) file = word.slice('file='.length);
        else
          throw new Error(
            `${page}:${i + 1}: unknown word '${word}' in the code fence (use fragment or file=NAME.ts)`,
          );
      }
      blocks.push({
        page,
        line: i + 2,
        code: lines.slice(i + 1, end).join('\n'),
        fragment,
        ...(file ? { file } : {}),
      });
    }
    i = end;
  }
  return blocks;
}
