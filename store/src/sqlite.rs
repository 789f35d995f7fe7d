//! `--store sqlite:PATH` (the default): everything in one SQLite file, in WAL mode with a
//! busy timeout so that several `polyrun serve` processes on one machine can share it.
//! The schema is migrated at open (`PRAGMA user_version` counts the migrations applied);
//! every call runs on tokio's blocking pool: writes on one connection, reads on another
//! (WAL: a reader never waits for a writer, so a token lookup is not held up by another
//! process's write lock). A call waits at most [`BUSY_TIMEOUT`] for its connection, and
//! refuses to run once the file it opened was removed or replaced (a grade would be
//! acknowledged and then lost).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use polyrun_core::Verdict;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, TransactionBehavior, params, params_from_iter};

use crate::model::{
    Claim, Cursor, Filter, Identity, Job, JobState, NewToken, Page, Role, Submission, SubmissionSummary, TokenInfo,
};
use crate::{Store, StoreError};

/// How long a call waits for another process's write lock before it gives up (503), and
/// at most for its connection, however many calls are queued for it.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema, one migration after another: a database at `user_version` N has had the
/// first N applied. Never edit one that has shipped; add the next.
const MIGRATIONS: &[&str] = &[
    // 1: submissions, Judge0 submissions (jobs) and access tokens.
    "
    CREATE TABLE submissions (
        id            TEXT PRIMARY KEY NOT NULL,
        user          TEXT,
        problem       TEXT NOT NULL,
        language      TEXT NOT NULL,
        verdict       TEXT NOT NULL,
        passed        INTEGER NOT NULL,
        total         INTEGER NOT NULL,
        time_ms       REAL,
        created_at_ms INTEGER NOT NULL,
        source        TEXT NOT NULL,
        report        TEXT NOT NULL
    );
    -- Lists are newest first, by (created_at_ms, id) descending, all or by user or problem.
    CREATE INDEX submissions_by_time ON submissions (created_at_ms, id);
    CREATE INDEX submissions_by_user ON submissions (user, created_at_ms, id);
    CREATE INDEX submissions_by_problem ON submissions (problem, created_at_ms, id);

    CREATE TABLE jobs (
        token          TEXT PRIMARY KEY NOT NULL,
        user           TEXT,
        request        TEXT NOT NULL,
        created_at_ms  INTEGER NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('queued', 'processing', 'finished')),
        owner          TEXT,
        lease_until_ms INTEGER,
        outcome        TEXT,
        finished_at_ms INTEGER
    );
    -- The search for orphans reads only unfinished jobs, oldest first.
    CREATE INDEX jobs_unfinished ON jobs (created_at_ms, token) WHERE state <> 'finished';

    CREATE TABLE tokens (
        hash          TEXT PRIMARY KEY NOT NULL,
        name          TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('learner', 'teacher')),
        created_at_ms INTEGER NOT NULL,
        revoked       INTEGER NOT NULL DEFAULT 0
    );
    -- One live token per name.
    CREATE UNIQUE INDEX tokens_live_name ON tokens (name) WHERE revoked = 0;
    ",
];

/// The SQLite back end.
pub struct SqliteStore {
    path: PathBuf,
    /// The file opened, as the file system knows it.
    file: Option<FileId>,
    writer: Arc<tokio::sync::Mutex<Connection>>,
    reader: Arc<tokio::sync::Mutex<Connection>>,
}

/// A file's device and inode: a file removed and created again at the same path has
/// another.
type FileId = (u64, u64);

#[cfg(unix)]
fn file_id(path: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_path: &Path) -> Option<FileId> {
    None
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish()
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating its folder (mode 0700) and the file (mode
    /// 0600: it holds sources and token hashes) when missing, and migrates its schema.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let path = path.to_path_buf();
        let opened = path.clone();
        // Switching a new file to WAL takes a lock SQLite's busy handler does not wait for:
        // processes opening one file at once retry (for up to 10 s) instead of failing.
        let (writer, reader) = tokio::task::spawn_blocking(move || {
            let mut attempt = 0;
            loop {
                match open_connection(&opened).and_then(|w| Ok((w, open_reader(&opened)?))) {
                    Err(StoreError::Unavailable(m))
                        if attempt < 100 && (m.contains("locked") || m.contains("busy")) =>
                    {
                        attempt += 1;
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                    other => return other,
                }
            }
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("opening the SQLite store failed: {e}")))??;
        Ok(SqliteStore {
            file: file_id(&path),
            path,
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            reader: Arc::new(tokio::sync::Mutex::new(reader)),
        })
    }

    /// Runs `f` on the writing connection, on tokio's blocking pool.
    async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.on(&self.writer, f).await
    }

    /// Runs `f`, which only reads, on the reading connection.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.on(&self.reader, f).await
    }

    async fn on<T, F>(&self, conn: &Arc<tokio::sync::Mutex<Connection>>, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        // Calls queued behind one held up by another process's lock give up in time too.
        let mut conn = tokio::time::timeout(BUSY_TIMEOUT, Arc::clone(conn).lock_owned())
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!(
                    "the SQLite store {} is busy (waited {} s for it)",
                    self.path.display(),
                    BUSY_TIMEOUT.as_secs()
                ))
            })?;
        let (path, opened) = (self.path.clone(), self.file);
        tokio::task::spawn_blocking(move || {
            if opened.is_some() && file_id(&path) != opened {
                return Err(StoreError::Unavailable(format!(
                    "the SQLite file {} was removed or replaced while polyrun ran; nothing more is \
                     kept or read until polyrun is restarted",
                    path.display()
                )));
            }
            // A panic mid-call leaves no transaction open (a dropped one rolls back).
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("a SQLite call failed: {e}")))?
    }
}

/// A second connection to the migrated file, for reads only.
fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| open_error(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| open_error(path, e))?;
    conn.pragma_update(None, "query_only", true)
        .map_err(|e| open_error(path, e))?;
    Ok(conn)
}

/// Creates what is missing, opens, sets the connection up and migrates.
fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let shown = path.display();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        create_private_dir(dir)
            .map_err(|e| StoreError::Unavailable(format!("cannot create the folder {}: {e}", dir.display())))?;
    }
    create_private_file(path).map_err(|e| StoreError::Unavailable(format!("cannot create {shown}: {e}")))?;
    let conn = Connection::open(path).map_err(|e| open_error(path, e))?;
    setup(&conn).map_err(|e| open_error(path, e))?;
    migrate(conn, path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Creates the file with mode 0600 when missing (SQLite gives its `-wal` and `-shm`
/// files the same mode); an existing file keeps its own.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop)
}

/// WAL (readers never wait for the writer), `synchronous=NORMAL` (durable enough in WAL:
/// a power cut may lose the last commits, never corrupt), a busy timeout, foreign keys.
fn setup(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(format!("the journal mode stays '{mode}', not WAL")),
        ));
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Applies the migrations the file lacks, in one transaction that holds the write lock
/// (two processes opening a new file at once migrate it once).
fn migrate(mut conn: Connection, path: &Path) -> Result<Connection, StoreError> {
    let known = MIGRATIONS.len();
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| open_error(path, e))?;
    let version: i64 = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| open_error(path, e))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > known {
        return Err(StoreError::Invalid(format!(
            "{} was made by a newer polyrun (schema version {version}; this one knows up to {known}): \
             upgrade polyrun or use another --store",
            path.display()
        )));
    }
    if version < known {
        for sql in &MIGRATIONS[version..] {
            tx.execute_batch(sql).map_err(|e| open_error(path, e))?;
        }
        tx.pragma_update(None, "user_version", known as i64)
            .map_err(|e| open_error(path, e))?;
    }
    tx.commit().map_err(|e| open_error(path, e))?;
    Ok(conn)
}

/// An error while opening `path`: a file that is not a database is the user's to fix.
fn open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Invalid(format!(
            "{} is not a SQLite database polyrun can use ({e}): move it away or pick another --store",
            path.display()
        )),
        _ => StoreError::Unavailable(format!("cannot open the SQLite store {}: {e}", path.display())),
    }
}

/// A SQLite error while `doing` something: a constraint is a conflict, anything else
/// (busy past the timeout, locked, I/O, a full disk) leaves the store unavailable.
fn db_error(doing: &str, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation) => StoreError::Conflict(format!("{doing}: {e}")),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Unavailable(format!(
            "{doing}: the SQLite file stayed locked by another process for over {} s ({e})",
            BUSY_TIMEOUT.as_secs()
        )),
        _ => StoreError::Unavailable(format!("{doing}: SQLite: {e}")),
    }
}

/// Whether `e` is a primary-key or unique violation.
fn is_duplicate(e: &rusqlite::Error) -> bool {
    e.sqlite_error().is_some_and(|err| {
        err.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            || err.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    })
}

/// A stored value polyrun cannot read back (written by hand, or by a broken build).
fn unreadable(what: &str, why: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("a stored {what} is unreadable: {why}"))
}

fn json_text(value: &serde_json::Value) -> String {
    // A `Value` always serialises.
    value.to_string()
}

fn parse_json(what: &str, text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| unreadable(what, e))
}

fn parse_verdict(text: &str) -> Result<Verdict, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| unreadable("submission", format!("'{text}' is not a verdict")))
}

/// The listing's columns, in [`summary_from_row`]'s order.
const SUMMARY_COLUMNS: &str = "id, user, problem, language, verdict, passed, total, time_ms, created_at_ms";

/// A row of [`SUMMARY_COLUMNS`] before its verdict is parsed.
fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<(SubmissionSummary, String)> {
    let verdict: String = row.get(4)?;
    Ok((
        SubmissionSummary {
            id: row.get(0)?,
            user: row.get(1)?,
            problem: row.get(2)?,
            language: row.get(3)?,
            verdict: Verdict::Accepted,
            passed: row.get(5)?,
            total: row.get(6)?,
            // SQLite keeps a NaN as NULL.
            time_ms: row.get::<_, Option<f64>>(7)?.unwrap_or(f64::NAN),
            created_at_ms: row.get(8)?,
        },
        verdict,
    ))
}

fn finish_summary((mut summary, verdict): (SubmissionSummary, String)) -> Result<SubmissionSummary, StoreError> {
    summary.verdict = parse_verdict(&verdict)?;
    Ok(summary)
}

/// The listing's query for `filter`, with its parameters: conditions written so that
/// the indexes on (user | problem |, created_at_ms, id) serve both filter and order.
fn listing_query(filter: &Filter, limit: usize) -> (String, Vec<SqlValue>) {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    if let Some(user) = &filter.user {
        conditions.push("user = ?");
        values.push(SqlValue::Text(user.clone()));
    }
    if let Some(problem) = &filter.problem {
        conditions.push("problem = ?");
        values.push(SqlValue::Text(problem.clone()));
    }
    if let Some(cursor) = &filter.before {
        conditions.push("(created_at_ms, id) < (?, ?)");
        values.push(SqlValue::Integer(cursor.created_at_ms));
        values.push(SqlValue::Text(cursor.id.clone()));
    }
    let filter_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    values.push(SqlValue::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    (
        format!("SELECT {SUMMARY_COLUMNS} FROM submissions{filter_sql} ORDER BY created_at_ms DESC, id DESC LIMIT ?"),
        values,
    )
}

/// The orphan search: unfinished jobs (the partial index's condition, written out so that
/// SQLite uses it) queued before `?1` or whose lease ended before `?2`, oldest first.
const ORPHANS_SQL: &str = "SELECT token FROM jobs
     WHERE state <> 'finished'
       AND ((state = 'queued' AND created_at_ms < ?1) OR (state = 'processing' AND lease_until_ms < ?2))
     ORDER BY created_at_ms, token LIMIT ?3";

/// A job row's columns: token, user, request, created_at_ms, state, owner,
/// lease_until_ms, outcome, finished_at_ms.
type JobRow = (
    String,
    Option<String>,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

fn job_from_row(row: JobRow) -> Result<Job, StoreError> {
    let (token, user, request, created_at_ms, state, owner, lease_until_ms, outcome, finished_at_ms) = row;
    let broken = |why: &str| unreadable("Judge0 submission", format!("{token}: {why}"));
    let state = match state.as_str() {
        "queued" => JobState::Queued,
        "processing" => JobState::Processing {
            owner: owner.ok_or_else(|| broken("processing without an owner"))?,
            lease_until_ms: lease_until_ms.ok_or_else(|| broken("processing without a lease"))?,
        },
        "finished" => JobState::Finished {
            outcome: parse_json(
                "Judge0 outcome",
                outcome
                    .as_deref()
                    .ok_or_else(|| broken("finished without an outcome"))?,
            )?,
            finished_at_ms: finished_at_ms.ok_or_else(|| broken("finished without a time"))?,
        },
        other => return Err(broken(&format!("unknown state '{other}'"))),
    };
    Ok(Job {
        request: parse_json("Judge0 request", &request)?,
        token,
        user,
        created_at_ms,
        state,
    })
}

#[async_trait]
impl Store for SqliteStore {
    fn describe(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    async fn put_submission(&self, submission: &Submission) -> Result<(), StoreError> {
        let s = submission.clone();
        self.call(move |conn| {
            let sum = &s.summary;
            conn.execute(
                "INSERT INTO submissions
                   (id, user, problem, language, verdict, passed, total, time_ms, created_at_ms, source, report)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    sum.id,
                    sum.user,
                    sum.problem,
                    sum.language,
                    sum.verdict.id(),
                    sum.passed,
                    sum.total,
                    sum.time_ms,
                    sum.created_at_ms,
                    s.source,
                    json_text(&s.report),
                ],
            )
            .map_err(|e| {
                if is_duplicate(&e) {
                    StoreError::Conflict(format!("a submission {} exists", sum.id))
                } else {
                    db_error("keeping a submission", e)
                }
            })?;
            Ok(())
        })
        .await
    }

    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn| {
            let row = conn
                .query_row(
                    &format!("SELECT {SUMMARY_COLUMNS}, source, report FROM submissions WHERE id = ?1"),
                    params![id],
                    |row| {
                        Ok((
                            summary_from_row(row)?,
                            row.get::<_, String>(9)?,
                            row.get::<_, String>(10)?,
                        ))
                    },
                )
                .optional()
                .map_err(|e| db_error("reading a submission", e))?;
            row.map(|(summary, source, report)| {
                Ok(Submission {
                    summary: finish_summary(summary)?,
                    source,
                    report: parse_json("grade report", &report)?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn submissions(&self, filter: &Filter) -> Result<Page, StoreError> {
        let limit = filter.limit.clamp(1, crate::MAX_PAGE);
        // One more than a page tells whether there is a next one.
        let (sql, values) = listing_query(filter, limit + 1);
        self.read(move |conn| {
            let doing = "listing submissions";
            let mut stmt = conn.prepare_cached(&sql).map_err(|e| db_error(doing, e))?;
            let rows = stmt
                .query_map(params_from_iter(values), summary_from_row)
                .map_err(|e| db_error(doing, e))?;
            let mut items = Vec::new();
            for row in rows {
                items.push(finish_summary(row.map_err(|e| db_error(doing, e))?)?);
            }
            let more = items.len() > limit;
            items.truncate(limit);
            let next = if more { items.last().map(Cursor::after) } else { None };
            Ok(Page { items, next })
        })
        .await
    }

    async fn prune(&self, before_ms: i64) -> Result<(u64, u64), StoreError> {
        self.call(move |conn| {
            let doing = "pruning";
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| db_error(doing, e))?;
            let subs = tx
                .execute("DELETE FROM submissions WHERE created_at_ms < ?1", params![before_ms])
                .map_err(|e| db_error(doing, e))?;
            let jobs = tx
                .execute(
                    "DELETE FROM jobs WHERE state = 'finished' AND created_at_ms < ?1",
                    params![before_ms],
                )
                .map_err(|e| db_error(doing, e))?;
            tx.commit().map_err(|e| db_error(doing, e))?;
            Ok((subs as u64, jobs as u64))
        })
        .await
    }

    async fn put_job(&self, job: &Job) -> Result<(), StoreError> {
        let job = job.clone();
        self.call(move |conn| {
            let (state, owner, lease, outcome, finished) = match &job.state {
                JobState::Queued => ("queued", None, None, None, None),
                JobState::Processing { owner, lease_until_ms } => {
                    ("processing", Some(owner.as_str()), Some(*lease_until_ms), None, None)
                }
                JobState::Finished {
                    outcome,
                    finished_at_ms,
                } => ("finished", None, None, Some(json_text(outcome)), Some(*finished_at_ms)),
            };
            conn.execute(
                "INSERT INTO jobs
                   (token, user, request, created_at_ms, state, owner, lease_until_ms, outcome, finished_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    job.token,
                    job.user,
                    json_text(&job.request),
                    job.created_at_ms,
                    state,
                    owner,
                    lease,
                    outcome,
                    finished
                ],
            )
            .map_err(|e| {
                if is_duplicate(&e) {
                    StoreError::Conflict(format!("a Judge0 submission {} exists", job.token))
                } else {
                    db_error("keeping a Judge0 submission", e)
                }
            })?;
            Ok(())
        })
        .await
    }

    async fn job(&self, token: &str) -> Result<Option<Job>, StoreError> {
        let token = token.to_owned();
        self.read(move |conn| {
            let row: Option<JobRow> = conn
                .query_row(
                    "SELECT token, user, request, created_at_ms, state, owner, lease_until_ms, outcome, finished_at_ms
                     FROM jobs WHERE token = ?1",
                    params![token],
                    |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                            r.get(7)?,
                            r.get(8)?,
                        ))
                    },
                )
                .optional()
                .map_err(|e| db_error("reading a Judge0 submission", e))?;
            row.map(job_from_row).transpose()
        })
        .await
    }

    async fn claim_job(&self, token: &str, claim: &Claim) -> Result<bool, StoreError> {
        let token = token.to_owned();
        let claim = claim.clone();
        self.call(move |conn| {
            // One statement: SQLite takes the write lock before it reads, so of several
            // processes claiming one token exactly one sees it free.
            let changed = conn
                .execute(
                    "UPDATE jobs SET state = 'processing', owner = ?2, lease_until_ms = ?3
                     WHERE token = ?1
                       AND (state = 'queued' OR (state = 'processing' AND lease_until_ms < ?4))",
                    params![token, claim.owner, claim.lease_until_ms, claim.now_ms],
                )
                .map_err(|e| db_error("claiming a Judge0 submission", e))?;
            Ok(changed == 1)
        })
        .await
    }

    async fn finish_job(&self, token: &str, owner: &str, outcome: &serde_json::Value) -> Result<bool, StoreError> {
        let token = token.to_owned();
        let owner = owner.to_owned();
        let outcome = json_text(outcome);
        self.call(move |conn| {
            // The owner and lease stay, a record of who ran it.
            let changed = conn
                .execute(
                    "UPDATE jobs SET state = 'finished', outcome = ?3, finished_at_ms = ?4
                     WHERE token = ?1 AND state = 'processing' AND owner = ?2",
                    params![token, owner, outcome, crate::now_ms()],
                )
                .map_err(|e| db_error("finishing a Judge0 submission", e))?;
            Ok(changed == 1)
        })
        .await
    }

    async fn orphaned_jobs(&self, queued_before_ms: i64, now_ms: i64, limit: usize) -> Result<Vec<String>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |conn| {
            let doing = "looking for orphaned Judge0 submissions";
            let mut stmt = conn.prepare_cached(ORPHANS_SQL).map_err(|e| db_error(doing, e))?;
            let tokens = stmt
                .query_map(params![queued_before_ms, now_ms, limit], |row| row.get(0))
                .map_err(|e| db_error(doing, e))?
                .collect::<rusqlite::Result<Vec<String>>>()
                .map_err(|e| db_error(doing, e))?;
            Ok(tokens)
        })
        .await
    }

    async fn put_token(&self, token: &NewToken) -> Result<(), StoreError> {
        let token = token.clone();
        self.call(move |conn| {
            conn.execute(
                "INSERT INTO tokens (hash, name, role, created_at_ms, revoked) VALUES (?1, ?2, ?3, ?4, 0)",
                params![token.hash, token.name, token.role.id(), token.created_at_ms],
            )
            .map_err(|e| {
                if !is_duplicate(&e) {
                    db_error("keeping a token", e)
                } else if e.to_string().contains("tokens.hash") {
                    StoreError::Conflict("that token exists".into())
                } else {
                    StoreError::Conflict(format!("a token named '{}' exists; revoke it first", token.name))
                }
            })?;
            Ok(())
        })
        .await
    }

    async fn identity(&self, hash: &str) -> Result<Option<Identity>, StoreError> {
        let hash = hash.to_owned();
        self.read(move |conn| {
            let row: Option<(String, String)> = conn
                .query_row(
                    "SELECT name, role FROM tokens WHERE hash = ?1 AND revoked = 0",
                    params![hash],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(|e| db_error("looking a token up", e))?;
            row.map(|(name, role)| {
                Ok(Identity {
                    role: role.parse::<Role>().map_err(|e| unreadable("token", e))?,
                    name,
                })
            })
            .transpose()
        })
        .await
    }

    async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.read(move |conn| {
            let doing = "listing tokens";
            // Oldest first is the order they were kept in (rowid), as in the memory store.
            let mut stmt = conn
                .prepare_cached("SELECT name, role, created_at_ms, revoked FROM tokens ORDER BY rowid")
                .map_err(|e| db_error(doing, e))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, bool>(3)?,
                    ))
                })
                .map_err(|e| db_error(doing, e))?;
            let mut tokens = Vec::new();
            for row in rows {
                let (name, role, created_at_ms, revoked) = row.map_err(|e| db_error(doing, e))?;
                tokens.push(TokenInfo {
                    role: role.parse::<Role>().map_err(|e| unreadable("token", e))?,
                    name,
                    created_at_ms,
                    revoked,
                });
            }
            Ok(tokens)
        })
        .await
    }

    async fn revoke_token(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_owned();
        self.call(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE tokens SET revoked = 1 WHERE name = ?1 AND revoked = 0",
                    params![name],
                )
                .map_err(|e| db_error("revoking a token", e))?;
            Ok(changed > 0)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh in-memory database with the schema.
    fn migrated() -> Connection {
        let conn = Connection::open_in_memory().expect("in memory");
        let conn = migrate(conn, Path::new(":memory:")).expect("migrate");
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(version, MIGRATIONS.len() as i64);
        conn
    }

    fn plan(conn: &Connection, sql: &str, values: Vec<SqlValue>) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("explain");
        let rows = stmt
            .query_map(params_from_iter(values), |r| r.get::<_, String>(3))
            .expect("plan");
        rows.map(|r| r.expect("row")).collect::<Vec<_>>().join("; ")
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let conn = migrated();
        let conn = migrate(conn, Path::new(":memory:")).expect("again");
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| {
                r.get(0)
            })
            .expect("count");
        assert_eq!(tables, 3);
    }

    #[test]
    fn listings_and_the_orphan_search_use_indexes_and_never_sort() {
        let conn = migrated();
        let cursor = Cursor {
            created_at_ms: 5,
            id: "0".repeat(32),
        };
        for (filter, index) in [
            (Filter::default(), "submissions_by_time"),
            (
                Filter {
                    user: Some("ada".into()),
                    before: Some(cursor.clone()),
                    ..Filter::default()
                },
                "submissions_by_user",
            ),
            (
                Filter {
                    problem: Some("two-sum".into()),
                    before: Some(cursor),
                    ..Filter::default()
                },
                "submissions_by_problem",
            ),
        ] {
            let (sql, values) = listing_query(&filter, 51);
            let plan = plan(&conn, &sql, values);
            assert!(plan.contains(index), "{filter:?}: {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{filter:?} sorts: {plan}");
        }
        let plan = plan(
            &conn,
            ORPHANS_SQL,
            vec![SqlValue::Integer(1), SqlValue::Integer(2), SqlValue::Integer(10)],
        );
        assert!(plan.contains("jobs_unfinished"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    #[test]
    fn verdicts_are_kept_as_their_ids() {
        for v in [Verdict::Accepted, Verdict::MemoryLimitExceeded, Verdict::CompileError] {
            assert_eq!(parse_verdict(v.id()).expect("parse"), v);
        }
        assert!(matches!(parse_verdict("Accepted"), Err(StoreError::Unavailable(_))));
    }
}
