import { rmSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { openPlatform } from '../../src/platform.js';
import { trainFraud } from '../../src/solutions/fraud/train.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CAIRN = path.join(ROOT, 'bin/cairn.js');

/** A fresh workspace under bench/out with a fraud model trained on the simulator's default stream. */
export async function prepareFraudWorkspace(name: string): Promise<string> {
  const home = path.join(ROOT, 'bench/out', name);
  rmSync(home, { recursive: true, force: true });
  const platform = await openPlatform({ home, logger: silentLogger });
  try {
    await trainFraud(platform.db, platform.workspace.artifacts);
  } finally {
    platform.close();
  }
  return home;
}
