import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Chromium the tests drive: `CHROMIUM_PATH`, else Debian's (scripts/test.sh installs it when missing). */
function chromiumPath(): string {
  const path =
    process.env.CHROMIUM_PATH ??
    ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  if (!path) {
    throw new Error(
      'Chromium is missing: apt-get install -y chromium (scripts/test.sh does it when run as root), or set CHROMIUM_PATH',
    );
  }
  return path;
}

/** How a page is rendered. */
export interface ChromiumPage {
  /** Browser window size, `width,height`. @default '1400,1600' */
  readonly windowSize?: string;
  /** Virtual time given to the page's JavaScript before the DOM is read (a single-page app such as the Web UI). */
  readonly virtualTimeBudgetMs?: number;
}

/** Renders `url` in headless Chromium (a throwaway profile) with `action` (`--dump-dom`, `--screenshot=…`). */
async function render(url: string, action: string, page: ChromiumPage): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
  try {
    const { stdout } = await run(
      chromiumPath(),
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--hide-scrollbars',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        ...(page.virtualTimeBudgetMs ? [`--virtual-time-budget=${page.virtualTimeBudgetMs}`] : []),
        `--window-size=${page.windowSize ?? '1400,1600'}`,
        action,
        url,
      ],
      { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
    );
    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The page's DOM after rendering, as Chromium serialises it: what a person's browser would show. */
export function renderedDom(url: string, page: ChromiumPage = {}): Promise<string> {
  return render(url, '--dump-dom', page);
}

/** Writes a PNG screenshot of the rendered page to `png`, for a person to look at. */
export async function screenshot(url: string, png: string, page: ChromiumPage = {}): Promise<void> {
  await render(url, `--screenshot=${png}`, page);
}
