import { createLogger, type Logger } from './core/logger.js';
import { resolveHome } from './core/config.js';
import { FeatureStore } from './features/feature-store.js';
import { openOnlineStore } from './features/online/open-online-store.js';
import { openJobs, type Jobs } from './jobs/jobs.js';
import { ensureRegistry } from './models/registry.js';
import { ensureStageEvents } from './models/stages.js';
import { qualityIngestGate } from './quality/ingest-gate.js';
import { Security } from './security/security.js';
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
  /** API keys, sessions, roles and grants, audit log, column encryption and PII flags. */
  security: Security;
  /** Feature views, training sets, materialisation and the online store (memory, or Redis via CAIRN_ONLINE_STORE). */
  features: FeatureStore;
  close: () => void;
}

export interface PlatformOptions {
  home?: string;
  logger?: Logger;
  /** `memory` (default) or a redis:// URL; default CAIRN_ONLINE_STORE. */
  onlineStore?: string;
}

export async function openPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const home = resolveHome(options.home);
  const logger = options.logger ?? createLogger();
  const workspace = await openWorkspace(home);
  await ensureRegistry(workspace.db);
  await ensureStageEvents(workspace.db);
  const features = new FeatureStore(workspace.db, () => openOnlineStore(options.onlineStore));
  const security = await Security.open({ db: workspace.db, home, features });
  // Saved quality rules run on every ingest into their table (block or quarantine, per table); then
  // encrypted columns are sealed and PII is flagged in what was accepted.
  const quality = qualityIngestGate(workspace.db);
  const secure = security.ingestGate();
  setIngestGate(workspace.db, async (input) => {
    await quality(input);
    await secure(input);
  });
  const jobs = await openJobs({ db: workspace.db, artifactsDir: workspace.artifacts, logger });
  const close = () => {
    void features.close();
    workspace.close();
  };
  return { home, workspace, db: workspace.db, logger, jobs, security, features, close };
}
