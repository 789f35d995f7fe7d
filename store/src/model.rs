//! What the store keeps: graded submissions (and the summaries lists show), Judge0
//! submissions as jobs with a state, and access tokens by their SHA-256.

use polyrun_core::Verdict;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::StoreError;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A new unguessable id: 32 lowercase hex digits (a v4 UUID's 122 random bits).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A new access token's secret: `pr_` and 64 hex digits (two v4 UUIDs, 244 random bits).
pub fn new_token_secret() -> String {
    format!("pr_{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// The SHA-256 of a token's secret, in hex: all the store ever sees of it.
pub fn hash_token(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// RFC 3339 (UTC, milliseconds) of `ms` since the epoch.
pub fn rfc3339(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_millis(t).to_string()
}

/// What a list shows of a graded submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionSummary {
    /// Its id ([`new_id`]).
    pub id: String,
    /// Who submitted it (the token's name), or `None` under `--auth open`.
    pub user: Option<String>,
    /// The problem's id.
    pub problem: String,
    /// The language's id (`python`, `ruby`, `javascript`).
    pub language: String,
    /// The verdict of the whole submission.
    pub verdict: Verdict,
    /// Tests accepted.
    pub passed: u32,
    /// Tests.
    pub total: u32,
    /// Wall time of the grading, in milliseconds.
    pub time_ms: f64,
    /// When it was graded, ms since the epoch.
    pub created_at_ms: i64,
}

/// A graded submission, whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// The fields lists show.
    #[serde(flatten)]
    pub summary: SubmissionSummary,
    /// The source as submitted.
    pub source: String,
    /// The full grade report (hidden tests included: the service redacts them).
    pub report: serde_json::Value,
}

/// Where a page of submissions ends: the last one's time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Its `created_at_ms`.
    pub created_at_ms: i64,
    /// Its id.
    pub id: String,
}

impl Cursor {
    /// The cursor after `summary`.
    pub fn after(summary: &SubmissionSummary) -> Cursor {
        Cursor {
            created_at_ms: summary.created_at_ms,
            id: summary.id.clone(),
        }
    }

    /// `<ms>-<id>`, as the API hands it out.
    pub fn encode(&self) -> String {
        format!("{}-{}", self.created_at_ms, self.id)
    }

    /// A cursor the API handed out; anything else is [`StoreError::Invalid`].
    pub fn parse(text: &str) -> Result<Cursor, StoreError> {
        let bad = || {
            StoreError::Invalid(format!(
                "'{}' is not a cursor this server handed out",
                text.chars().take(80).collect::<String>()
            ))
        };
        let (ms, id) = text.split_once('-').ok_or_else(bad)?;
        let created_at_ms: i64 = ms.parse().map_err(|_| bad())?;
        if created_at_ms < 0 || id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(bad());
        }
        Ok(Cursor {
            created_at_ms,
            id: id.to_owned(),
        })
    }

    /// Whether `summary` comes after this cursor (older, or as old with a smaller id).
    pub fn is_before(&self, summary: &SubmissionSummary) -> bool {
        (summary.created_at_ms, summary.id.as_str()) < (self.created_at_ms, self.id.as_str())
    }
}

/// Which submissions to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Only this problem's.
    pub problem: Option<String>,
    /// Only this user's.
    pub user: Option<String>,
    /// At most this many (1 to [`crate::MAX_PAGE`]).
    pub limit: usize,
    /// Only those after this cursor.
    pub before: Option<Cursor>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            problem: None,
            user: None,
            limit: 50,
            before: None,
        }
    }
}

impl Filter {
    /// Whether `summary` passes the filter (the cursor included, not the limit).
    pub fn admits(&self, summary: &SubmissionSummary) -> bool {
        self.problem.as_ref().is_none_or(|p| *p == summary.problem)
            && self.user.as_ref().is_none_or(|u| summary.user.as_ref() == Some(u))
            && self.before.as_ref().is_none_or(|c| c.is_before(summary))
    }
}

/// A page of submissions, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The submissions.
    pub items: Vec<SubmissionSummary>,
    /// Where the next page starts, when there may be one.
    pub next: Option<Cursor>,
}

/// A Judge0 submission: what was asked (as the service serialises it) and where it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Its Judge0 token (a v4 UUID).
    pub token: String,
    /// Who sent it (the access token's name), if known.
    pub user: Option<String>,
    /// The submission, decoded and validated, as the service serialises it.
    pub request: serde_json::Value,
    /// When it was created, ms since the epoch.
    pub created_at_ms: i64,
    /// Where it is.
    pub state: JobState,
}

/// Where a Judge0 submission is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a sandbox.
    Queued,
    /// Being run by `owner`, who holds it until `lease_until_ms`.
    Processing {
        /// The process running it.
        owner: String,
        /// After this (ms since the epoch) another process may take it over.
        lease_until_ms: i64,
    },
    /// Done.
    Finished {
        /// How it went (the service's JSON).
        outcome: serde_json::Value,
        /// When, ms since the epoch.
        finished_at_ms: i64,
    },
}

/// A process's claim on a Judge0 submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The process claiming (an id it made at start).
    pub owner: String,
    /// Now, ms since the epoch.
    pub now_ms: i64,
    /// Until when it holds the submission.
    pub lease_until_ms: i64,
}

/// A role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Grades and reads their own submissions.
    Learner,
    /// Also lists everyone's submissions and reads the gradebook.
    Teacher,
}

impl Role {
    /// `learner` or `teacher`.
    pub fn id(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Teacher => "teacher",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Role, StoreError> {
        match s {
            "learner" => Ok(Role::Learner),
            "teacher" => Ok(Role::Teacher),
            other => Err(StoreError::Invalid(format!(
                "'{other}' is not a role: learner or teacher"
            ))),
        }
    }
}

/// Who holds a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The token's name (a learner's or teacher's name).
    pub name: String,
    /// Their role.
    pub role: Role,
}

/// A token to keep: its name, role and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// Unique among tokens not revoked.
    pub name: String,
    /// The role it grants.
    pub role: Role,
    /// [`hash_token`] of the secret.
    pub hash: String,
    /// When it was made, ms since the epoch.
    pub created_at_ms: i64,
}

/// What `token list` shows of a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// When it was made, ms since the epoch.
    pub created_at_ms: i64,
    /// Whether it was revoked.
    pub revoked: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_anything_else_is_refused() {
        let c = Cursor {
            created_at_ms: 1_733_000_000_123,
            id: new_id(),
        };
        assert_eq!(Cursor::parse(&c.encode()).expect("round trip"), c);
        for bad in [
            "",
            "-",
            "12",
            "x-abc",
            "-1-0123456789abcdef0123456789abcdef",
            "12-0123456789ABCDEF0123456789ABCDEF",
            "12-zz",
        ] {
            assert!(matches!(Cursor::parse(bad), Err(StoreError::Invalid(_))), "{bad}");
        }
    }

    #[test]
    fn token_secrets_are_long_and_only_their_hash_is_kept() {
        let secret = new_token_secret();
        assert_eq!(secret.len(), 3 + 64);
        assert_ne!(secret, new_token_secret());
        let hash = hash_token(&secret);
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(&secret[3..]));
    }
}
