/**
 * One append-only log of events shared by every durable, and one row per durable
 * holding its position (the highest seq below which everything is acknowledged).
 * No index besides the rowid: appends are the hot path, and the look-ups that would
 * want one (replay by id or time) are rare and scan.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS evmesh_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  stored_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS evmesh_durables (
  name TEXT PRIMARY KEY,
  pattern TEXT NOT NULL,
  position INTEGER NOT NULL
);
`;

export const SQL = {
  insert: 'INSERT INTO evmesh_events (id, type, stored_at, body) VALUES (?, ?, ?, ?)',
  lastSeq: 'SELECT COALESCE(MAX(seq), 0) AS seq FROM evmesh_events',
  seqOfId: 'SELECT seq FROM evmesh_events WHERE id = ? ORDER BY seq DESC LIMIT 1',
  lastSeqBefore: 'SELECT COALESCE(MAX(seq), 0) AS seq FROM evmesh_events WHERE stored_at < ?',
  durable: 'SELECT pattern, position FROM evmesh_durables WHERE name = ?',
  durables: 'SELECT pattern FROM evmesh_durables',
  createDurable: 'INSERT INTO evmesh_durables (name, pattern, position) VALUES (?, ?, ?)',
  deleteDurable: 'DELETE FROM evmesh_durables WHERE name = ?',
  setPosition: 'UPDATE evmesh_durables SET position = ? WHERE name = ? AND position < ?',
  /** Completed with a pattern condition from toSqlPattern. */
  readAfter: (where: string): string => `SELECT seq, body FROM evmesh_events WHERE seq > ? AND ${where} ORDER BY seq LIMIT ?`,
  /** Completed with a pattern condition from toSqlPattern. */
  countAfter: (where: string): string => `SELECT COUNT(*) FROM evmesh_events WHERE seq > ? AND ${where}`,
} as const;
