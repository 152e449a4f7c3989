import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureDashboard } from '../scripts/ensure-dashboard.js';
import { simulateTransactions } from '../src/solutions/fraud/simulator.js';
import { withoutLabel, type Transaction } from '../src/solutions/fraud/transaction.js';
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
      // From the top, so the sticky header sits above the page rather than across it.
      await page.evaluate('window.scrollTo(0, 0)');
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

    test('segments page draws the customers by cluster and the cluster profiles', async () => {
      await open('segments', '[aria-label="segments scatter"] canvas');
      assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), 'Segments');
      assert.equal(await page.locator('[data-testid="segment-profiles"] tbody tr').count(), 4);
      assert.match((await page.textContent('main')) ?? '', /customer_segments/);
      assert.ok((await canvasesPainted(page)) >= 1);
      await shoot('segments');
      assert.deepEqual(problems, []);
    });

    test('anomalies page draws the scores over time and lists the most anomalous rows', async () => {
      await open('anomalies', '[aria-label="anomaly time line"] canvas');
      assert.equal(await page.locator('[data-testid="top-anomalies"] tbody tr').count(), 20);
      assert.match((await page.textContent('main')) ?? '', /flagged/);
      assert.ok((await canvasesPainted(page)) >= 1);
      await shoot('anomalies');
      assert.deepEqual(problems, []);
    });

    test('fraud page shows decisions live, and an analyst labels a queued decision', async () => {
      const score = async (tx: Transaction) => {
        const response = await page.request.post(`${server.url}/v1/fraud/score`, { data: tx });
        assert.equal(response.status(), 200, await response.text());
        return (await response.json()) as { decision: string };
      };
      for (const tx of simulateTransactions({ users: 30, days: 2, seed: 9 }).slice(0, 150)) {
        await score(withoutLabel(tx));
      }
      // Six payments by one user within an hour: the velocity rule sends the sixth to review.
      const burst = (i: number): Transaction => ({
        transaction_id: `burst-${i}`,
        user_id: 'u-burst',
        amount: 40,
        currency: 'EUR',
        merchant_id: 'm0001',
        merchant_category: 'grocery',
        device_id: 'd-burst',
        payment_method: 'card',
        timestamp: new Date(Date.UTC(2026, 10, 2, 10, i * 5)).toISOString(),
        location: { lat: 48.85, lon: 2.35 },
      });
      for (let i = 0; i < 5; i++) await score(burst(i));
      assert.equal((await score(burst(5))).decision, 'REVIEW');

      await open('fraud', '[aria-label="live decisions"] canvas');
      await page.waitForSelector('[data-testid="review-queue"]');
      assert.ok((await canvasesPainted(page)) >= 1);
      // Live: a decision made while the page is open shows up without a reload.
      await score({ ...burst(6), transaction_id: 'live-1' });
      await page.locator('[data-testid="latest-decisions"]').getByText('live-1').waitFor({ timeout: 15_000 });

      const row = page.locator('tr[data-review="burst-5"]');
      await row.getByRole('button', { name: 'Fraud' }).click();
      await row
        .locator('[data-testid="review-state"]')
        .filter({ hasText: /^fraud$/ })
        .waitFor({ timeout: 15_000 });
      const stored = (await (
        await page.request.get(`${server.url}/v1/fraud/reviews?status=labelled`)
      ).json()) as {
        reviews: { transaction_id: string; label: string; analyst: string }[];
      };
      const item = stored.reviews.find((r) => r.transaction_id === 'burst-5');
      assert.ok(item, 'burst-5 is labelled');
      assert.deepEqual([item.label, item.analyst.length > 0], ['fraud', true]);
      await shoot('fraud');
      assert.deepEqual(problems, []);
    });

    test('pages fit a narrow window', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      const pages = [
        ['models/churn', '[aria-label="ROC curve"] canvas'],
        ['segments', '[aria-label="segments scatter"] canvas'],
        ['anomalies', '[aria-label="anomaly time line"] canvas'],
        ['fraud', '[aria-label="live decisions"] canvas'],
      ];
      for (const [route, ready] of pages) {
        await open(route, ready);
        const overflow = await page.evaluate<number>(
          'document.documentElement.scrollWidth - window.innerWidth',
        );
        assert.ok(overflow <= 1, `${route} is ${overflow}px wider than a 390px window`);
        assert.ok((await canvasesPainted(page)) >= 1, `${route} draws its chart`);
        await shoot(`${route.split('/')[0]}-narrow`);
        assert.deepEqual(problems, []);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  },
);
