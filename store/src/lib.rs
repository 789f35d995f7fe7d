//! polyrun's store (spec: "People and tokens"): every graded submission, every Judge0
//! submission and every access token, behind one small trait, [`Store`], with three back
//! ends: SQLite (the default, one file), DynamoDB (Lambda, several servers) and memory
//! (nothing kept). No HTTP here: the service maps [`StoreError`] to statuses.
//!
//! **Everything is stored before it is answered**: the service awaits the write before it
//! sends the answer that names a submission or a token. **Processes on one store answer
//! for each other**: nothing a back end keeps in memory is needed to answer (the memory
//! back end aside, which is one process's by definition).

mod error;
pub mod gradebook;
mod memory;
pub mod model;
mod sqlite;
mod url;

use async_trait::async_trait;

pub use error::StoreError;
pub use gradebook::{Gradebook, GradebookCell, GradebookRow};
pub use memory::MemoryStore;
pub use model::{
    Claim, Cursor, Filter, Identity, Job, JobState, NewToken, Page, Role, Submission, SubmissionSummary, TokenInfo,
    hash_token, new_id, new_token_secret, now_ms,
};
pub use sqlite::SqliteStore;
pub use url::StoreUrl;

/// The most submissions one page lists.
pub const MAX_PAGE: usize = 200;

/// Where polyrun keeps what it must not forget. Every method is one round trip (or one
/// transaction) of its back end; an error is [`StoreError::Unavailable`] when the back end
/// cannot be reached, and the caller answers 503 without having acknowledged anything.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// A short description for the start-up line: `sqlite:/path/polyrun.db`, `memory`, ….
    fn describe(&self) -> String;

    // --- graded submissions ---

    /// Keeps `submission` (its id is new; a second put of the same id is a conflict).
    async fn put_submission(&self, submission: &Submission) -> Result<(), StoreError>;
    /// The submission `id`, source and report included.
    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError>;
    /// Submissions that match `filter`, newest first (`created_at`, then `id`, both
    /// descending), at most `filter.limit`, and the cursor of the next page.
    async fn submissions(&self, filter: &Filter) -> Result<Page, StoreError>;
    /// Forgets the submissions and the finished Judge0 submissions created before
    /// `before_ms` (ms since the epoch); how many of each.
    async fn prune(&self, before_ms: i64) -> Result<(u64, u64), StoreError>;

    // --- Judge0 submissions ---

    /// Keeps a new Judge0 submission (state `Queued` or `Processing` as given).
    async fn put_job(&self, job: &Job) -> Result<(), StoreError>;
    /// The Judge0 submission `token`.
    async fn job(&self, token: &str) -> Result<Option<Job>, StoreError>;
    /// Takes the Judge0 submission `token` to run it: succeeds (and marks it
    /// `Processing` by `claim.owner` until `claim.lease_until_ms`) only when it is
    /// queued, or processing under a lease that ended before `claim.now_ms`. Atomic:
    /// of several processes claiming one token, one wins.
    async fn claim_job(&self, token: &str, claim: &Claim) -> Result<bool, StoreError>;
    /// Stores the outcome of a run (a JSON object the service defines) and marks the
    /// submission finished. Only the owner of the claim may finish it; returns false
    /// (and changes nothing) otherwise.
    async fn finish_job(&self, token: &str, owner: &str, outcome: &serde_json::Value) -> Result<bool, StoreError>;
    /// Tokens of unfinished Judge0 submissions a process should take over: queued ones
    /// created before `queued_before_ms`, and processing ones whose lease ended before
    /// `now_ms`; oldest first, at most `limit`.
    async fn orphaned_jobs(&self, queued_before_ms: i64, now_ms: i64, limit: usize) -> Result<Vec<String>, StoreError>;

    // --- access tokens ---

    /// Keeps a token (its hash, never the secret). A name already in use by a token not
    /// revoked is [`StoreError::Conflict`].
    async fn put_token(&self, token: &NewToken) -> Result<(), StoreError>;
    /// Who holds the token whose SHA-256 is `hash`, unless it is revoked.
    async fn identity(&self, hash: &str) -> Result<Option<Identity>, StoreError>;
    /// Every token, revoked ones included, oldest first.
    async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError>;
    /// Revokes the token named `name`; false when there is none that is not revoked.
    async fn revoke_token(&self, name: &str) -> Result<bool, StoreError>;
}

/// Opens the store `url` names (creating a SQLite file and its folder, or a DynamoDB
/// table on a local endpoint, when missing).
pub async fn open(url: &StoreUrl) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    match url {
        StoreUrl::Memory => Ok(std::sync::Arc::new(MemoryStore::default())),
        StoreUrl::Sqlite(path) => Ok(std::sync::Arc::new(SqliteStore::open(path).await?)),
        StoreUrl::Dynamodb(_) => Err(StoreError::Invalid(format!(
            "the {} store is not built into this polyrun yet",
            url
        ))),
    }
}
