//! Signing in to the grader and what the grader keeps of a person: the session (a token
//! checked with `GET /api/v1/me`), its one reducer, the invite link's token, and the wire
//! types of `/api/v1/submissions` and `/api/v1/gradebook`.
//!
//! Plain data and logic, unit-tested on the host; the app provides the session as a
//! context (`hooks::use_account`) and talks HTTP in `services::account`.

use std::collections::BTreeMap;

use polyrun_core::verdict::Verdict;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who a token belongs to, as `GET /api/v1/me` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The token's name.
    pub name: String,
    /// `learner` or `teacher`.
    pub role: String,
}

/// A signed-in person: the token and who it belongs to (kept in local storage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The token, sent as `Authorization: Bearer <token>` to the grader only.
    pub token: String,
    /// The token's name.
    pub name: String,
    /// `learner` or `teacher`.
    pub role: String,
}

impl Session {
    /// Whether the session may read the gradebook.
    pub fn is_teacher(&self) -> bool {
        self.role == "teacher"
    }
}

/// The app's sign-in state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountState {
    /// Who is signed in.
    pub session: Option<Session>,
    /// A token is being checked.
    pub checking: bool,
    /// Why the last sign-in failed (the session, if any, is unchanged).
    pub error: Option<String>,
    /// A note for the sign-in page (say, a stored token the grader no longer knows).
    pub notice: Option<String>,
}

/// What can happen to the sign-in state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountAction {
    /// A token is being checked.
    Checking,
    /// The grader knows the token.
    SignedIn(Session),
    /// The token was refused or could not be checked; nothing else changes.
    Failed(String),
    /// Sign out (the token is forgotten).
    SignOut,
    /// The stored token is no longer valid: signed out, with a note (if that token is
    /// still the one signed in).
    Expired {
        /// The token the grader refused.
        token: String,
        /// For people.
        message: String,
    },
    /// The stored session was checked again and is still valid (name or role may differ).
    Refreshed(Session),
    /// Forget the last error and note (a new attempt, or leaving the page).
    Dismiss,
}

impl AccountState {
    /// The state with `session` (from local storage) signed in.
    pub fn new(session: Option<Session>) -> Self {
        AccountState {
            session,
            ..AccountState::default()
        }
    }

    /// The token to send, when signed in.
    pub fn token(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.token.as_str())
    }

    /// Applies an action.
    pub fn apply(&mut self, action: AccountAction) {
        match action {
            AccountAction::Checking => {
                self.checking = true;
                self.error = None;
                self.notice = None;
            }
            AccountAction::SignedIn(session) => {
                self.session = Some(session);
                self.checking = false;
                self.error = None;
                self.notice = None;
            }
            AccountAction::Failed(message) => {
                self.checking = false;
                self.error = Some(message);
            }
            AccountAction::SignOut => {
                self.session = None;
                self.checking = false;
                self.error = None;
                self.notice = None;
            }
            AccountAction::Expired { token, message } => {
                if self.token() == Some(token.as_str()) {
                    self.session = None;
                    self.notice = Some(message);
                }
            }
            AccountAction::Refreshed(session) => {
                // Only if the same token is still the one signed in.
                if self.token() == Some(session.token.as_str()) {
                    self.session = Some(session);
                }
            }
            AccountAction::Dismiss => {
                self.error = None;
                self.notice = None;
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
impl yew::Reducible for AccountState {
    type Action = AccountAction;

    fn reduce(self: std::rc::Rc<Self>, action: AccountAction) -> std::rc::Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        std::rc::Rc::new(next)
    }
}

/// The token of an invite link: the part of the URL after `#`, of the form
/// `/signin?token=<token>` (other query parameters are ignored). `None` for anything else.
pub fn invite_token(fragment: &str) -> Option<String> {
    fragment_param(fragment, "/signin", "token")
}

/// The value of `name` in the query of a fragment whose path is `route` (`#/route?name=…`),
/// percent-decoded and trimmed; `None` when absent, empty, or on another route.
pub(crate) fn fragment_param(fragment: &str, route: &str, name: &str) -> Option<String> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let (path, query) = fragment.split_once('?')?;
    if path.trim_end_matches('/') != route {
        return None;
    }
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| percent_decode(value).trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// `%XX` and `+` decoded (a token is ASCII; anything undecodable is kept as it is).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A submission as lists show it (`GET /api/v1/submissions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionSummary {
    /// Its id.
    pub id: String,
    /// Who submitted it (`null` under `--auth open`).
    #[serde(default)]
    pub user: Option<String>,
    /// The problem's id.
    pub problem: String,
    /// The language's id.
    pub language: String,
    /// The submission's verdict.
    pub verdict: Verdict,
    /// Tests accepted.
    #[serde(default)]
    pub passed: u64,
    /// Tests.
    #[serde(default)]
    pub total: u64,
    /// Grading time, in milliseconds.
    #[serde(default)]
    pub time_ms: f64,
    /// When it was graded: RFC 3339 text (or milliseconds since the epoch).
    #[serde(default)]
    pub created_at: Value,
}

/// A page of submissions, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionPage {
    /// The submissions.
    pub submissions: Vec<SubmissionSummary>,
    /// Where the next page starts, if there is one.
    #[serde(default)]
    pub next: Option<String>,
}

/// One submission, whole (`GET /api/v1/submissions/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionDetail {
    /// The fields lists show.
    #[serde(flatten)]
    pub summary: SubmissionSummary,
    /// The source as submitted.
    pub source: String,
    /// The grade report (hidden tests redacted).
    #[serde(default)]
    pub report: Value,
}

/// One person's result on one problem in the gradebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradebookCell {
    /// The best submission's verdict.
    pub verdict: Verdict,
    /// Its tests accepted.
    #[serde(default)]
    pub passed: u64,
    /// Its tests.
    #[serde(default)]
    pub total: u64,
    /// Graded submissions of that person for that problem.
    #[serde(default)]
    pub attempts: u64,
    /// When the first accepted one was graded, if any.
    #[serde(default)]
    pub accepted_at: Option<String>,
}

/// One person's row of the gradebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradebookRow {
    /// The person (a token's name).
    pub user: String,
    /// By problem id.
    #[serde(default)]
    pub results: BTreeMap<String, GradebookCell>,
}

/// The gradebook (`GET /api/v1/gradebook`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gradebook {
    /// The problems, the table's columns.
    pub problems: Vec<String>,
    /// One row per person.
    pub rows: Vec<GradebookRow>,
}

/// When a submission was graded, for people: `2026-12-03 12:30:05 UTC` from RFC 3339 text
/// or milliseconds since the epoch; anything else as it came.
pub fn format_when(created_at: &Value) -> String {
    match created_at {
        Value::String(text) => {
            // 2026-12-03T12:30:05.123Z → 2026-12-03 12:30:05
            let trimmed = text.split('.').next().unwrap_or(text).trim_end_matches('Z');
            match trimmed.split_once('T') {
                Some((date, time)) if date.len() == 10 => format!("{date} {time} UTC"),
                _ => text.clone(),
            }
        }
        Value::Number(n) => n.as_i64().map_or_else(|| n.to_string(), format_epoch_ms),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `2026-12-03 12:30:05 UTC` of milliseconds since the epoch.
fn format_epoch_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ada() -> Session {
        Session {
            token: "pr_1".into(),
            name: "ada".into(),
            role: "learner".into(),
        }
    }

    #[test]
    fn a_failed_sign_in_changes_nothing_but_the_error() {
        let mut state = AccountState::new(Some(ada()));
        state.apply(AccountAction::Checking);
        assert!(state.checking);
        state.apply(AccountAction::Failed("that token is not valid".into()));
        assert_eq!(state.session, Some(ada()));
        assert!(!state.checking);
        assert_eq!(state.error.as_deref(), Some("that token is not valid"));
        let teacher = Session {
            token: "pr_2".into(),
            name: "grace".into(),
            role: "teacher".into(),
        };
        state.apply(AccountAction::SignedIn(teacher.clone()));
        assert!(state.session.as_ref().unwrap().is_teacher());
        assert_eq!(state.error, None);
        // A late refresh of another token does not sign it back in.
        state.apply(AccountAction::Refreshed(ada()));
        assert_eq!(state.session, Some(teacher));
        state.apply(AccountAction::Expired {
            token: "pr_1".into(),
            message: "gone".into(),
        });
        assert_eq!(state.token(), Some("pr_2"));
        state.apply(AccountAction::Expired {
            token: "pr_2".into(),
            message: "gone".into(),
        });
        assert_eq!(state.token(), None);
        assert_eq!(state.notice.as_deref(), Some("gone"));
        state.apply(AccountAction::SignOut);
        assert_eq!(state.notice, None);
    }

    #[test]
    fn invite_links_carry_the_token_in_the_fragment() {
        assert_eq!(invite_token("#/signin?token=pr_abc").as_deref(), Some("pr_abc"));
        assert_eq!(invite_token("/signin?x=1&token=pr%5Fabc").as_deref(), Some("pr_abc"));
        assert_eq!(invite_token("#/signin/?token=pr_abc&y").as_deref(), Some("pr_abc"));
        assert_eq!(invite_token("#/signin?token="), None);
        assert_eq!(invite_token("#/signin"), None);
        assert_eq!(invite_token("#/problems/x?token=pr_abc"), None);
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn wire_types_read_the_api() {
        let page: SubmissionPage = serde_json::from_value(json!({
            "submissions": [{"id": "ab", "user": "ada", "problem": "two-sum", "language": "python",
                "verdict": "wrong_answer", "passed": 2, "total": 9, "time_ms": 41.5,
                "created_at": "2026-12-03T12:30:05.123Z"}],
            "next": null
        }))
        .unwrap();
        assert_eq!(page.submissions[0].verdict, Verdict::WrongAnswer);
        assert_eq!(format_when(&page.submissions[0].created_at), "2026-12-03 12:30:05 UTC");
        let detail: SubmissionDetail = serde_json::from_value(json!({
            "id": "ab", "user": null, "problem": "two-sum", "language": "ruby", "verdict": "accepted",
            "passed": 9, "total": 9, "time_ms": 1.0, "created_at": 0, "source": "def x; end", "report": {}
        }))
        .unwrap();
        assert_eq!(detail.source, "def x; end");
        assert_eq!(format_when(&detail.summary.created_at), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_when(&json!(1_780_000_000_000i64)), "2026-05-28 20:26:40 UTC");
        let book: Gradebook = serde_json::from_value(json!({
            "problems": ["two-sum"],
            "rows": [{"user": "ada", "results": {"two-sum": {"verdict": "accepted", "passed": 9,
                "total": 9, "attempts": 2, "accepted_at": "2026-12-03T12:30:05.123Z"}}}]
        }))
        .unwrap();
        assert_eq!(book.rows[0].results["two-sum"].attempts, 2);
    }
}
