import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../src/core/logger.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { openWorkspace, type Workspace } from '../src/warehouse/workspace.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DATA = path.join(ROOT, 'data');
export const CHURN_CSV = path.join(DATA, 'telco_customer_churn.csv');

export function tempDir(prefix = 'cairn-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh workspace in a temp folder; `dispose` closes it and deletes the folder. */
export async function tempWorkspace(): Promise<Workspace & { dir: string; dispose: () => void }> {
  const { dir, remove } = tempDir();
  const workspace = await openWorkspace(path.join(dir, 'ws'));
  return {
    ...workspace,
    dir,
    dispose: () => {
      workspace.close();
      remove();
    },
  };
}

/** A fresh platform (workspace plus every module's tables) in a temp folder, quiet logger. */
export async function tempPlatform(): Promise<
  Platform & { dir: string; artifacts: string; dispose: () => void }
> {
  const { dir, remove } = tempDir();
  const platform = await openPlatform({ home: path.join(dir, 'ws'), logger: silentLogger });
  return {
    ...platform,
    dir,
    artifacts: platform.workspace.artifacts,
    dispose: () => {
      platform.close();
      remove();
    },
  };
}

/** Authorization headers carrying a fresh admin API key: every HTTP route but /health needs one. */
export async function adminAuth(platform: Platform): Promise<Record<string, string>> {
  const { key } = await platform.security.keys.create({ role: 'admin', name: 'test' });
  return { authorization: `Bearer ${key}` };
}
