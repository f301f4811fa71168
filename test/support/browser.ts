/**
 * Headless Chromium for browser tests: Debian's `chromium` (installed by `.ci/run`), driven by
 * playwright-core, never a downloaded browser. Each session gets a fresh user-data dir and keeps a
 * screenshot of every step; when the test fails they are kept in `test/e2e/screenshots/<test>/`
 * (git-ignored), with one more of the page as it was when it failed.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

/** Where Debian's package puts it; `CHROMIUM_PATH` points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * No sandbox (CI runs as root) and no GPU; and nothing that phones home: the network here is closed, and
 * Chromium's background connections would fail many at a time, at every start. (`--headless` is added by
 * playwright for `headless: true`.)
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOT_DIR = join(__dirname, '..', 'e2e', 'screenshots');

/** Browser steps wait this long at most, well inside jest's timeout, so a stuck step fails with its name. */
const STEP_TIMEOUT_MS = 30_000;

export interface BrowserSession {
  page: Page;
  /** Runs one named step and keeps a screenshot of the page after it. */
  step: <T>(name: string, action: () => Promise<T>) => Promise<T>;
  /** What the page logged as an error, and exceptions it did not catch, in order. */
  readonly consoleErrors: string[];
}

const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);

/**
 * Runs `body` in a fresh headless Chromium. On failure the step screenshots (and one of the page at the
 * moment of failure) are written to `test/e2e/screenshots/<testName>/` and the error is passed on.
 */
export async function withBrowser<T>(testName: string, body: (session: BrowserSession) => Promise<T>): Promise<T> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH`,
    );
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'iscflow-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));

  const shots: Array<{ name: string; png: Buffer }> = [];
  const snap = async (name: string): Promise<void> => {
    try {
      shots.push({ name: `${String(shots.length + 1).padStart(2, '0')}-${slug(name)}`, png: await page.screenshot() });
    } catch {
      // A page that cannot be captured (closed, crashed) must not hide the error that matters.
    }
  };
  const session: BrowserSession = {
    page,
    consoleErrors,
    step: async (name, action) => {
      try {
        return await action();
      } finally {
        await snap(name);
      }
    },
  };

  try {
    return await body(session);
  } catch (error) {
    await snap('failed');
    const dir = join(SCREENSHOT_DIR, slug(testName));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const shot of shots) writeFileSync(join(dir, `${shot.name}.png`), shot.png);
    writeFileSync(
      join(dir, 'error.txt'),
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    if (error instanceof Error) error.message += `\n(screenshots of each step: ${dir})`;
    throw error;
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
