'use strict';
// The embedded store: SQLite through better-sqlite3 (synchronous, so every request handler runs its
// reads and writes without interleaving with another request).
//
// Durability: WAL journal with synchronous=FULL. A transaction is committed (WAL appended and fsynced)
// before the handler returns, and the sender is answered only after that, so an acknowledged send
// survives SIGKILL and even a power cut. (WAL with synchronous=NORMAL would also survive a killed
// process, since the WAL pages are already in the OS page cache, but not a power cut.)
//
// Every table is keyed by app key: users of one app never see another app's rows.

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const Database = require('better-sqlite3');

const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE apps (
  app_key     TEXT PRIMARY KEY,
  secret      TEXT NOT NULL DEFAULT '',
  create_time INTEGER NOT NULL
);
CREATE TABLE users (
  app_key     TEXT NOT NULL,
  auid        TEXT NOT NULL,
  token       TEXT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  avatar      TEXT NOT NULL DEFAULT '',
  sign        TEXT NOT NULL DEFAULT '',
  ext         TEXT,                          -- JSON text or NULL
  max_seq     INTEGER NOT NULL DEFAULT 0,    -- the user's highest delivery seq
  create_time INTEGER NOT NULL,
  update_time INTEGER NOT NULL,
  PRIMARY KEY (app_key, auid)
) WITHOUT ROWID;
CREATE TABLE friends (                       -- one row per direction
  app_key     TEXT NOT NULL,
  auid        TEXT NOT NULL,
  friend_auid TEXT NOT NULL,
  alias       TEXT NOT NULL DEFAULT '',
  create_time INTEGER NOT NULL,
  PRIMARY KEY (app_key, auid, friend_auid)
) WITHOUT ROWID;
CREATE TABLE blacklist (                     -- auid has blacklisted black_auid
  app_key     TEXT NOT NULL,
  auid        TEXT NOT NULL,
  black_auid  TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  PRIMARY KEY (app_key, auid, black_auid)
) WITHOUT ROWID;
CREATE TABLE rooms (
  rid         INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused
  app_key     TEXT NOT NULL,
  name        TEXT NOT NULL,
  avatar      TEXT NOT NULL DEFAULT '',
  notice      TEXT NOT NULL DEFAULT '',
  ext         TEXT,
  owner       TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  update_time INTEGER NOT NULL
);
CREATE TABLE room_members (
  app_key     TEXT NOT NULL,
  rid         INTEGER NOT NULL,
  auid        TEXT NOT NULL,
  role        TEXT NOT NULL,                 -- 'owner' | 'member'
  join_time   INTEGER NOT NULL,
  PRIMARY KEY (app_key, rid, auid)
) WITHOUT ROWID;
CREATE INDEX room_members_by_user ON room_members (app_key, auid);
CREATE TABLE messages (
  mid           INTEGER PRIMARY KEY AUTOINCREMENT,
  app_key       TEXT NOT NULL,
  form_user     TEXT NOT NULL,
  to_target     TEXT NOT NULL,
  way           TEXT NOT NULL,               -- 'P2P' | 'P2R'
  type          TEXT NOT NULL,
  body          TEXT NOT NULL,               -- JSON text ('null' once recalled)
  msg_option    TEXT NOT NULL,               -- JSON text
  at_users      TEXT NOT NULL,               -- JSON text
  client_msg_id TEXT NOT NULL,
  create_time   INTEGER NOT NULL,
  recalled      INTEGER NOT NULL DEFAULT 0,
  recall_time   INTEGER
);
CREATE UNIQUE INDEX messages_by_client_id ON messages (app_key, form_user, client_msg_id);
CREATE TABLE deliveries (                    -- one row per (recipient, message): the recipient's seq
  app_key  TEXT NOT NULL,
  auid     TEXT NOT NULL,
  seq      INTEGER NOT NULL,
  mid      INTEGER NOT NULL,
  way      TEXT NOT NULL,                    -- conversation key, from the recipient's side:
  target   TEXT NOT NULL,                    --   the peer's auid (P2P) or the rid (P2R)
  acked    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (app_key, auid, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX deliveries_by_mid ON deliveries (app_key, auid, mid);
CREATE INDEX deliveries_by_message ON deliveries (mid);
CREATE INDEX deliveries_by_conversation ON deliveries (app_key, auid, way, target, seq);
CREATE INDEX deliveries_unacked ON deliveries (app_key, auid, seq) WHERE acked = 0;
CREATE TABLE conversations (
  app_key     TEXT NOT NULL,
  auid        TEXT NOT NULL,
  way         TEXT NOT NULL,
  target      TEXT NOT NULL,
  last_seq    INTEGER NOT NULL,
  last_mid    INTEGER NOT NULL,
  read_seq    INTEGER NOT NULL DEFAULT 0,
  hidden      INTEGER NOT NULL DEFAULT 0,
  update_time INTEGER NOT NULL,
  PRIMARY KEY (app_key, auid, way, target)
) WITHOUT ROWID;
CREATE TABLE files (
  fid         TEXT PRIMARY KEY,              -- 128 random bits, hex: the capability in the URL
  app_key     TEXT NOT NULL,
  owner       TEXT NOT NULL,
  name        TEXT NOT NULL,
  mime        TEXT NOT NULL,
  size        INTEGER NOT NULL,
  create_time INTEGER NOT NULL
);
`;

// Version 2: the JWTs issued (one row per login, its random jti), so that a token change or a logout
// revokes them. Rows past their expiry are deleted at the next login.
const SCHEMA_V2 = `
CREATE TABLE sessions (
  jti         TEXT PRIMARY KEY,
  app_key     TEXT NOT NULL,
  auid        TEXT NOT NULL,
  exp         INTEGER NOT NULL,              -- seconds since the epoch, as in the JWT
  revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_user ON sessions (app_key, auid);
`;

/**
 * Create the database file (and its folder, mode 0700) readable by its owner only: it holds the
 * users' tokens, the app secrets and the JWT signing key. SQLite gives the -wal and -shm files the
 * database file's mode.
 */
function createPrivate(file) {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  }
}

/**
 * The store interface (SQLite here, PostgreSQL in db-postgres.js); every method answers a promise:
 *   get(sql, ...params) -> row|undefined    all(sql, ...params) -> rows    run(sql, ...params) -> {changes}
 *   tx(async (db) => ...)  runs fn in one transaction; `db` has get/all/run and lockUsers(appKey, auids)
 *                          (hold those users' rows until the commit: PostgreSQL row locks, here a no-op
 *                          since the transaction is exclusive), which answers whether another transaction
 *                          may have written since this one began (PostgreSQL: true; here: false, so a
 *                          caller need not read again what it read before). Inside fn use `db`, never
 *                          the store.
 *   secretValue(key), seed(apps, users, now), close(), isOpen
 * SQL is written once with `?` placeholders in the dialect both engines share.
 *
 * SQLite: one better-sqlite3 connection; the operations run one at a time in arrival order (a queue),
 * and a transaction holds the queue until it commits, so no other request's statement runs inside it.
 */
class Store {
  constructor(file) {
    if (file !== ':memory:') createPrivate(file);
    this.kind = 'sqlite';
    this.file = file;
    this.sqlite = new Database(file);
    this.sqlite.pragma('journal_mode = WAL');
    this.sqlite.pragma('synchronous = FULL');
    this.sqlite.pragma('foreign_keys = OFF');
    this.sqlite.pragma('busy_timeout = 5000');
    this.statements = new Map();
    this.queue = Promise.resolve();
    this.migrate();
    const run = (sql, params) => {
      const { changes } = this.statement(sql).run(...params);
      return { changes };
    };
    /** The handle a transaction body gets: synchronous statements (awaiting them is harmless). */
    this.handle = {
      get: (sql, ...params) => this.statement(sql).get(...params),
      all: (sql, ...params) => this.statement(sql).all(...params),
      run: (sql, ...params) => run(sql, params),
      lockUsers: () => false,
    };
  }

  get isOpen() { return this.sqlite.open; }

  migrate() {
    const version = this.sqlite.pragma('user_version', { simple: true });
    if (version === SCHEMA_VERSION) return;
    if (version !== 0 && version !== 1) throw new Error(`unsupported database schema version ${version} in ${this.file}`);
    this.sqlite.transaction(() => {
      if (version === 0) this.sqlite.exec(SCHEMA);
      this.sqlite.exec(SCHEMA_V2);
      this.sqlite.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  }

  statement(sql) {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.sqlite.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Run fn after every operation queued before it, alone. */
  exclusive(fn) {
    const result = this.queue.then(fn);
    this.queue = result.catch(() => {});
    return result;
  }

  get(sql, ...params) { return this.exclusive(() => this.handle.get(sql, ...params)); }
  all(sql, ...params) { return this.exclusive(() => this.handle.all(sql, ...params)); }
  run(sql, ...params) { return this.exclusive(() => this.handle.run(sql, ...params)); }

  tx(fn) {
    return this.exclusive(async () => {
      this.sqlite.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.handle);
        this.sqlite.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK');
        throw err;
      }
    });
  }

  /** A persistent random value (e.g. the JWT signing key), created on first use. */
  async secretValue(key) {
    return this.tx((db) => {
      const row = db.get('SELECT value FROM meta WHERE key = ?', key);
      if (row) return row.value;
      const value = crypto.randomBytes(32).toString('hex');
      db.run('INSERT INTO meta (key, value) VALUES (?, ?)', key, value);
      return value;
    });
  }

  /** Create or update the configured apps and their users (command line --app / --user). */
  seed(apps, users, now) {
    return this.tx((db) => seedRows(db, apps, users, now));
  }

  async close() {
    await this.queue;
    if (this.sqlite.open) this.sqlite.close();
  }
}

/** The rows of seed(), through a transaction handle (shared with the PostgreSQL store). */
async function seedRows(db, apps, users, now) {
  for (const app of apps) {
    await db.run(`INSERT INTO apps (app_key, secret, create_time) VALUES (?, ?, ?)
              ON CONFLICT (app_key) DO UPDATE SET secret = excluded.secret`, app.appKey, app.secret, now);
    for (const user of users) {
      await db.run(`INSERT INTO users (app_key, auid, token, name, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (app_key, auid) DO UPDATE SET token = excluded.token,
                  name = CASE WHEN excluded.name = '' THEN users.name ELSE excluded.name END, update_time = excluded.update_time`,
      app.appKey, user.auid, user.token, user.name || '', now, now);
    }
  }
}

/**
 * Open the store a --db value names: postgres://… or postgresql://… is PostgreSQL (db-postgres.js),
 * anything else a SQLite file (or :memory:).
 */
async function openStore(db) {
  if (isPostgresUrl(db)) {
    const { PgStore } = require('./db-postgres');
    return PgStore.open(db);
  }
  return new Store(db);
}

const isPostgresUrl = (db) => /^postgres(ql)?:\/\//i.test(String(db));

module.exports = { Store, openStore, seedRows, isPostgresUrl, SCHEMA, SCHEMA_V2 };
