//! `--store memory`: everything in one process's memory, gone when it stops, and bounded:
//! the newest [`MAX_KEPT`] submissions and as many Judge0 submissions (the oldest finished
//! ones forgotten first), so that a client cannot grow the process without end. The
//! reference for the trait's semantics (the conformance tests run it beside the real back
//! ends).

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use crate::model::{Claim, Cursor, Filter, Identity, Job, JobState, NewToken, Page, Submission, TokenInfo};
use crate::{Store, StoreError};

/// Submissions, and Judge0 submissions, kept at most.
pub const MAX_KEPT: usize = 10_000;

#[derive(Debug, Default)]
struct Inner {
    submissions: BTreeMap<String, Submission>,
    jobs: BTreeMap<String, Job>,
    /// `(hash, info)`, oldest first.
    tokens: Vec<(String, TokenInfo)>,
}

/// The memory back end.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change is one assignment: a panic elsewhere leaves the maps consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl Store for MemoryStore {
    fn describe(&self) -> String {
        "memory (nothing is kept when polyrun stops)".into()
    }

    async fn put_submission(&self, submission: &Submission) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if inner.submissions.contains_key(&submission.summary.id) {
            return Err(StoreError::Conflict(format!(
                "a submission {} exists",
                submission.summary.id
            )));
        }
        inner
            .submissions
            .insert(submission.summary.id.clone(), submission.clone());
        if inner.submissions.len() > MAX_KEPT {
            let oldest = inner
                .submissions
                .values()
                .min_by_key(|s| (s.summary.created_at_ms, s.summary.id.clone()))
                .map(|s| s.summary.id.clone());
            if let Some(oldest) = oldest {
                inner.submissions.remove(&oldest);
            }
        }
        Ok(())
    }

    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        Ok(self.lock().submissions.get(id).cloned())
    }

    async fn submissions(&self, filter: &Filter) -> Result<Page, StoreError> {
        let inner = self.lock();
        let mut items: Vec<_> = inner
            .submissions
            .values()
            .map(|s| &s.summary)
            .filter(|s| filter.admits(s))
            .cloned()
            .collect();
        items.sort_by(|a, b| (b.created_at_ms, &b.id).cmp(&(a.created_at_ms, &a.id)));
        let limit = filter.limit.clamp(1, crate::MAX_PAGE);
        let more = items.len() > limit;
        items.truncate(limit);
        let next = if more { items.last().map(Cursor::after) } else { None };
        Ok(Page { items, next })
    }

    async fn prune(&self, before_ms: i64) -> Result<(u64, u64), StoreError> {
        let mut inner = self.lock();
        let (s0, j0) = (inner.submissions.len(), inner.jobs.len());
        inner.submissions.retain(|_, s| s.summary.created_at_ms >= before_ms);
        inner
            .jobs
            .retain(|_, j| j.created_at_ms >= before_ms || !matches!(j.state, JobState::Finished { .. }));
        Ok(((s0 - inner.submissions.len()) as u64, (j0 - inner.jobs.len()) as u64))
    }

    async fn put_job(&self, job: &Job) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if inner.jobs.contains_key(&job.token) {
            return Err(StoreError::Conflict(format!(
                "a Judge0 submission {} exists",
                job.token
            )));
        }
        inner.jobs.insert(job.token.clone(), job.clone());
        if inner.jobs.len() > MAX_KEPT {
            // The oldest finished one; if none is finished, the oldest of all.
            let oldest = inner
                .jobs
                .values()
                .min_by_key(|j| (!matches!(j.state, JobState::Finished { .. }), j.created_at_ms))
                .map(|j| j.token.clone());
            if let Some(oldest) = oldest {
                inner.jobs.remove(&oldest);
            }
        }
        Ok(())
    }

    async fn job(&self, token: &str) -> Result<Option<Job>, StoreError> {
        Ok(self.lock().jobs.get(token).cloned())
    }

    async fn claim_job(&self, token: &str, claim: &Claim) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let Some(job) = inner.jobs.get_mut(token) else {
            return Ok(false);
        };
        let free = match &job.state {
            JobState::Queued => true,
            JobState::Processing { lease_until_ms, .. } => *lease_until_ms < claim.now_ms,
            JobState::Finished { .. } => false,
        };
        if free {
            job.state = JobState::Processing {
                owner: claim.owner.clone(),
                lease_until_ms: claim.lease_until_ms,
            };
        }
        Ok(free)
    }

    async fn finish_job(&self, token: &str, owner: &str, outcome: &serde_json::Value) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let Some(job) = inner.jobs.get_mut(token) else {
            return Ok(false);
        };
        if !matches!(&job.state, JobState::Processing { owner: o, .. } if o == owner) {
            return Ok(false);
        }
        job.state = JobState::Finished {
            outcome: outcome.clone(),
            finished_at_ms: crate::now_ms(),
        };
        Ok(true)
    }

    async fn orphaned_jobs(&self, queued_before_ms: i64, now_ms: i64, limit: usize) -> Result<Vec<String>, StoreError> {
        let inner = self.lock();
        let mut orphans: Vec<&Job> = inner
            .jobs
            .values()
            .filter(|j| match &j.state {
                JobState::Queued => j.created_at_ms < queued_before_ms,
                JobState::Processing { lease_until_ms, .. } => *lease_until_ms < now_ms,
                JobState::Finished { .. } => false,
            })
            .collect();
        orphans.sort_by_key(|j| (j.created_at_ms, j.token.clone()));
        Ok(orphans.into_iter().take(limit).map(|j| j.token.clone()).collect())
    }

    async fn put_token(&self, token: &NewToken) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if inner.tokens.iter().any(|(_, t)| t.name == token.name && !t.revoked) {
            return Err(StoreError::Conflict(format!(
                "a token named '{}' exists; revoke it first",
                token.name
            )));
        }
        if inner.tokens.iter().any(|(h, _)| *h == token.hash) {
            return Err(StoreError::Conflict("that token exists".into()));
        }
        inner.tokens.push((
            token.hash.clone(),
            TokenInfo {
                name: token.name.clone(),
                role: token.role,
                created_at_ms: token.created_at_ms,
                revoked: false,
            },
        ));
        Ok(())
    }

    async fn identity(&self, hash: &str) -> Result<Option<Identity>, StoreError> {
        Ok(self
            .lock()
            .tokens
            .iter()
            .find(|(h, t)| h == hash && !t.revoked)
            .map(|(_, t)| Identity {
                name: t.name.clone(),
                role: t.role,
            }))
    }

    async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        Ok(self.lock().tokens.iter().map(|(_, t)| t.clone()).collect())
    }

    async fn revoke_token(&self, name: &str) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        match inner.tokens.iter_mut().find(|(_, t)| t.name == name && !t.revoked) {
            Some((_, t)) => {
                t.revoked = true;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SubmissionSummary;
    use polyrun_core::Verdict;

    #[tokio::test]
    async fn memory_is_bounded_and_forgets_the_oldest() {
        let store = MemoryStore::default();
        for n in 0..=MAX_KEPT as i64 {
            let summary = SubmissionSummary {
                id: format!("{n:032x}"),
                user: None,
                problem: "p".into(),
                language: "python".into(),
                verdict: Verdict::Accepted,
                passed: 1,
                total: 1,
                time_ms: 1.0,
                created_at_ms: n,
            };
            let s = Submission {
                summary,
                source: String::new(),
                report: serde_json::Value::Null,
            };
            store.put_submission(&s).await.expect("put");
        }
        assert_eq!(store.lock().submissions.len(), MAX_KEPT);
        assert!(store.submission(&format!("{:032x}", 0)).await.expect("get").is_none());
        assert!(store.submission(&format!("{:032x}", 1)).await.expect("get").is_some());
    }
}
