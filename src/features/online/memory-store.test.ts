import { MemoryOnlineStore } from './memory-store.js';
import { onlineStoreContract } from './online-store-contract.js';

onlineStoreContract('memory', () => Promise.resolve(new MemoryOnlineStore()));
