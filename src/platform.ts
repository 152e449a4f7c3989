import { createLogger, type Logger } from './core/logger.js';
import { resolveHome } from './core/config.js';
import { openJobs, type Jobs } from './jobs/jobs.js';
import { ensureRegistry } from './models/registry.js';
import { ensureStageEvents } from './models/stages.js';
import { qualityIngestGate } from './quality/ingest-gate.js';
import type { Database } from './warehouse/database.js';
import { setIngestGate } from './warehouse/ingest/gate.js';
import { openWorkspace, type Workspace } from './warehouse/workspace.js';

/** Everything a transport (CLI, HTTP) needs, opened once from one workspace. */
export interface Platform {
  home: string;
  workspace: Workspace;
  db: Database;
  logger: Logger;
  /** Job queue, cron scheduler and stored schedules; `jobs.start()` runs them (the server does). */
  jobs: Jobs;
  close: () => void;
}

export interface PlatformOptions {
  home?: string;
  logger?: Logger;
}

export async function openPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const home = resolveHome(options.home);
  const logger = options.logger ?? createLogger();
  const workspace = await openWorkspace(home);
  await ensureRegistry(workspace.db);
  await ensureStageEvents(workspace.db);
  // Saved quality rules run on every ingest into their table (block or quarantine, per table).
  setIngestGate(workspace.db, qualityIngestGate(workspace.db));
  const jobs = await openJobs({ db: workspace.db, artifactsDir: workspace.artifacts, logger });
  return { home, workspace, db: workspace.db, logger, jobs, close: () => workspace.close() };
}
