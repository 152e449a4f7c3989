import { MemoryOnlineStore } from './memory-store.js';
import type { OnlineStore } from './online-store.js';
import { RedisOnlineStore } from './redis-store.js';

/**
 * The online store a platform uses: Redis when `url` (or CAIRN_ONLINE_STORE) is a redis:// URL,
 * the in-process store otherwise (`memory` or unset).
 */
export async function openOnlineStore(
  url: string | undefined = process.env.CAIRN_ONLINE_STORE,
  prefix?: string,
): Promise<OnlineStore> {
  if (url && /^rediss?:\/\//.test(url)) return RedisOnlineStore.open(url, prefix);
  return new MemoryOnlineStore();
}
