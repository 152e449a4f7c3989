import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureDashboard } from '../scripts/ensure-dashboard.js';
import { ROOT, tempDir } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const haveChromium = existsSync(CHROMIUM);

interface Started {
  child: ChildProcess;
  url: string;
  /** The one-time login link `cairn up` printed, when the server asks for one. */
  loginLink: string | undefined;
}

/** Runs `cairn up` on a fresh workspace (demo tables and demo model) and waits for its address. */
function startCairn(home: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'cairn.js'), 'up', '--port', '0', '--json'],
      {
        env: { ...process.env, CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`cairn up did not start in 120 s:\n${stderr}`)), 120_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.trim().startsWith('{'));
      if (line === undefined) return;
      clearTimeout(timer);
      const { url, loginUrl } = JSON.parse(line) as { url: string; loginUrl?: string };
      const link = loginUrl ?? `${stdout}\n${stderr}`.match(/https?:\/\/[^\s"]+[?&]token=[\w-]+/)?.[0];
      resolve({ child, url, loginLink: link });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cairn up exited with ${code}:\n${stderr}`));
    });
  });
}

// Browser-side code is passed as text: this project's TypeScript has no DOM types outside web/.
const PAINTED_CANVASES = `[...document.querySelectorAll('.chart canvas')].filter((c) => {
  const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
  return data !== undefined && data.some((v, i) => i % 4 === 3 && v > 0);
}).length`;

/** How many chart canvases on the page have at least one painted pixel. */
function canvasesPainted(page: Page): Promise<number> {
  return page.evaluate<number>(PAINTED_CANVASES);
}

describe(
  'dashboard in a real browser',
  { skip: haveChromium ? false : `${CHROMIUM} is not installed` },
  () => {
    const tmp = tempDir('cairn-dashboard-');
    let server: Started;
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];

    before(async () => {
      mkdirSync(SHOTS, { recursive: true });
      await ensureDashboard();
      server = await startCairn(path.join(tmp.dir, 'ws'));
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on('console', (message) => {
        // Chrome logs failed loads as errors too; those are reported below with their address.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
          problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
      });
      // Log in as a person would: open the link `cairn up` printed (when the server asks for one).
      await page.goto(server.loginLink ?? server.url);
    });

    after(async () => {
      await browser?.close();
      server?.child.kill('SIGTERM');
      if (server) await new Promise((resolve) => server.child.once('exit', resolve));
      tmp.remove();
    });

    async function open(route: string, ready: string): Promise<void> {
      problems.length = 0;
      await page.goto(`${server.url}/#/${route}`);
      await page.waitForSelector(ready, { timeout: 30_000 });
      await page.waitForLoadState('networkidle');
    }

    async function shoot(name: string): Promise<void> {
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    }

    test('overview shows the demo tables and model with a chart', async () => {
      await open('overview', '.tile');
      await page.waitForSelector('.chart canvas');
      assert.ok((await canvasesPainted(page)) >= 1);
      assert.match((await page.textContent('main')) ?? '', /churn/);
      await shoot('overview');
      assert.deepEqual(problems, []);
    });

    test('tables page shows schema, rows, profile charts and check history', async () => {
      await open('tables/churn', '.column-card .chart canvas');
      assert.ok((await page.locator('.grid tbody tr').count()) > 10);
      await page.getByRole('button', { name: 'Check suggested rules' }).click();
      await page.waitForSelector('[aria-label="check results over time"] canvas', { timeout: 30_000 });
      assert.ok((await canvasesPainted(page)) >= 5);
      await shoot('tables');
      assert.deepEqual(problems, []);
    });

    test('a query runs and shows rows and a chart', async () => {
      await open('query', 'textarea.sql');
      await page.fill(
        'textarea.sql',
        'SELECT Contract, count(*) AS n FROM churn GROUP BY Contract ORDER BY n DESC',
      );
      await page.getByRole('button', { name: 'Run' }).click();
      await page.waitForSelector('[data-testid="row-count"]');
      assert.equal(await page.locator('.grid tbody tr').count(), 3);
      assert.match((await page.textContent('[data-testid="row-count"]')) ?? '', /^3 rows/);
      assert.ok((await canvasesPainted(page)) >= 1);
      await shoot('query');
      assert.deepEqual(problems, []);
    });

    test('models page draws the card, explains a row, and promotes a version', async () => {
      await open('models/churn', '[aria-label="ROC curve"] canvas');
      await page.waitForSelector('[aria-label="Feature importance"] canvas');
      assert.ok((await canvasesPainted(page)) >= 5);
      await page.getByRole('button', { name: 'Explain' }).click();
      await page.waitForSelector('[aria-label="feature contributions"] canvas');
      assert.equal(await page.textContent('[data-testid="stage-2"]'), 'staging');
      await page.locator('tr[data-version="2"]').getByRole('button', { name: 'Promote' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Promote to production' }).click();
      await page
        .locator('[data-testid="stage-2"]')
        .filter({ hasText: /^production$/ })
        .waitFor({ timeout: 30_000 });
      assert.equal(await page.textContent('[data-testid="stage-1"]'), 'archived');
      await shoot('models');
      assert.deepEqual(problems, []);
    });

    test('jobs page lists jobs with their log', async () => {
      await open('jobs', 'h1');
      await page.waitForSelector('.card .grid, .card .empty');
      await shoot('jobs');
      assert.deepEqual(problems, []);
    });

    test('pages fit a narrow window', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await open('models/churn', '[aria-label="ROC curve"] canvas');
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      assert.ok(overflow <= 1, `the page is ${overflow}px wider than a 390px window`);
      await shoot('models-narrow');
      await page.setViewportSize({ width: 1280, height: 800 });
      assert.deepEqual(problems, []);
    });
  },
);
