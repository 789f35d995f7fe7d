//! The store's errors, which the service maps to HTTP statuses and the CLI to exit 2.

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The back end cannot be reached or failed (503 for a request; nothing acknowledged).
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// A unique name or id already taken (409, or exit 2).
    #[error("{0}")]
    Conflict(String),
    /// Bad input: a store URL, a cursor, a filter (400, or exit 2).
    #[error("{0}")]
    Invalid(String),
}
