import { describe, it } from 'vitest';
import { memoryStore } from '../../src/index.js';
import { storeConformance } from '../../src/testing/index.js';

// The reference store: an in-process queue per durable, so each "process" of the
// suite shares one instance (not persistent, not distributed, no replay).
storeConformance({ describe, it }, 'memory', () => memoryStore(), { wait: 5_000 });
