import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, type ConsoleMessage, type Page, chromium } from 'playwright-core';

/**
 * Debian's Chromium (Playwright's own browser download is not available here). `HEARTH_TEST_CHROMIUM`
 * names another binary; set but empty, Playwright's own installed Chromium is used (CI on macOS/Windows).
 */
const CHROMIUM_PATH = process.env.HEARTH_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Starts headless Chromium with everything that would reach the network switched off. */
export function launchChromium(): Promise<Browser> {
  if (CHROMIUM_PATH !== '' && !existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}; install Debian's chromium package or set HEARTH_TEST_CHROMIUM.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH === '' ? undefined : CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

// Runs before any page script. It records CSP violations (Trusted Types ones included) where the test
// can read them; written as a string because the test runtime has no DOM types.
const RECORD_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' ' + (e.sample || ''));
  });
`;

/** A page plus what it reported: console errors, uncaught exceptions, and CSP violations. */
export type WatchedPage = {
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
  cspViolations: () => Promise<string[]>;
};

/** Opens a fresh context (its own sessionStorage) and a page that records its errors from the start. */
export async function openWatchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const consoleErrors: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  await page.addInitScript({ content: RECORD_VIOLATIONS });
  return {
    context,
    page,
    consoleErrors,
    cspViolations: async () => (await page.evaluate('window.__cspViolations ?? []')) as string[],
  };
}
