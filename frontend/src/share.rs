//! Share links: what a page shows (language, code, and the problem's own tests or the
//! playground's stdin) packed into the URL fragment, so that no server ever sees it, and
//! unpacked with full validation (a link cut short, garbage, a decompression bomb, wrong
//! types, an unknown language or oversized code each give a [`ShareError`]).
//!
//! The link is the page's own route with a `share` query in the fragment:
//! `https://site/#/problems/two-sum?share=v1.<payload>` (or `#/playground?share=…`), where
//! `<payload>` is base64url (no padding) of the zlib-compressed JSON
//! `{"language": "python", "code": "…", "problem": "two-sum", "tests": [{"args": ["[1, 2]",
//! "3"], "expected": "[0, 1]"}]}` or `{"language": …, "code": …, "stdin": "…"}`. `v1` is
//! the format's version: a later format gets a new tag, and this one is refused with a
//! clear message by an app that does not know it.
//!
//! Using it on a page (the problem page does; a playground page the same way, with
//! [`Shared::Playground`]):
//!
//! ```text
//! // Opening: the hook reads `?share=` from the address (also when a link is opened in a
//! // tab already on the page), removes it from the address bar, and hands over the result.
//! use_shared_link(Callback::from(move |shared: Result<Share, ShareError>| match shared {
//!     Ok(share) => /* fill the page from share.language, share.code, share.shared */,
//!     Err(e) => /* show e.to_string() in `share-error`; change nothing */,
//! }));
//! // Sharing: a `share-button` and the `share-link` it fills (and copies).
//! html! { <ShareBar share={Callback::from(move |()| Share {
//!     language, code: code.clone(), shared: Shared::Playground { stdin: stdin.clone() },
//! })} /> }
//! ```
//!
//! (`crate::components::share_bar::{ShareBar, use_shared_link}`; this module is pure and
//! unit-tested on the host.)

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use polyrun_core::Language;
use polyrun_core::language::UnknownLanguage;
use polyrun_core::limits::SOURCE_CAP_BYTES;
use serde::{Deserialize, Serialize};

use crate::state::SavedTest;

/// The format tag the payload starts with.
pub const VERSION_TAG: &str = "v1";

/// The query parameter (in the fragment) that carries the payload.
pub const PARAM: &str = "share";

/// The most a payload may unpack to (a decompression bomb stops here).
pub const UNPACKED_CAP_BYTES: usize = 256 * 1024;

/// The longest payload read at all (more than any payload within the caps needs).
pub const PAYLOAD_CAP_CHARS: usize = 512 * 1024;

/// The most stdin a playground link carries.
pub const STDIN_CAP_BYTES: usize = 64 * 1024;

/// The most own tests a problem link carries.
pub const TESTS_CAP: usize = 100;

/// What a link carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    /// The language of the code.
    pub language: Language,
    /// The code.
    pub code: String,
    /// The problem and its own tests, or the playground's stdin.
    pub shared: Shared,
}

/// What a link carries besides the code: where it belongs.
#[derive(Debug, Clone, PartialEq)]
pub enum Shared {
    /// A problem page's own tests.
    Problem {
        /// The problem's id.
        id: String,
        /// The own tests, as typed.
        tests: Vec<SavedTest>,
    },
    /// The playground's standard input.
    Playground {
        /// What the program reads.
        stdin: String,
    },
}

/// Why a link could not be made or opened (shown to people as it is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    /// Not a share payload at all, or a format this app does not know.
    Format(String),
    /// Cut short or changed on the way (bad base64, bad compressed data, bad checksum).
    Damaged,
    /// More than the caps allow.
    TooLarge(String),
    /// Unpacked, but not what a share holds (wrong types, unknown language, …).
    Invalid(String),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::Format(why) => write!(f, "This is not a share link polyrun can open: {why}."),
            ShareError::Damaged => f.write_str(
                "This share link is damaged or cut short: copy the whole link (it ends where the payload ends) and open it again.",
            ),
            ShareError::TooLarge(what) => write!(f, "This share link is too large: {what}."),
            ShareError::Invalid(why) => write!(f, "This share link holds something unexpected: {why}."),
        }
    }
}

impl std::error::Error for ShareError {}

/// The JSON inside a payload.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    language: String,
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tests: Option<Vec<WireTest>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stdin: Option<String>,
}

/// An own test inside a payload.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireTest {
    args: Vec<String>,
    #[serde(default)]
    expected: String,
}

/// The payload of `share` (`v1.<base64url>`), or why it cannot be made (code or stdin
/// past the caps the opening side enforces).
pub fn encode(share: &Share) -> Result<String, ShareError> {
    check_sizes(share)?;
    let (problem, tests, stdin) = match &share.shared {
        Shared::Problem { id, tests } => {
            let tests = tests
                .iter()
                .map(|t| WireTest {
                    args: t.args.clone(),
                    expected: t.expected.clone(),
                })
                .collect();
            (Some(id.clone()), Some(tests), None)
        }
        Shared::Playground { stdin } => (None, None, Some(stdin.clone())),
    };
    let wire = Wire {
        language: share.language.id().to_owned(),
        code: share.code.clone(),
        problem,
        tests,
        stdin,
    };
    let json = serde_json::to_vec(&wire).map_err(|e| ShareError::Invalid(e.to_string()))?;
    if json.len() > UNPACKED_CAP_BYTES {
        return Err(ShareError::TooLarge(format!(
            "it would unpack to {} bytes (at most {UNPACKED_CAP_BYTES})",
            json.len()
        )));
    }
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&json, 10);
    Ok(format!("{VERSION_TAG}.{}", URL_SAFE_NO_PAD.encode(packed)))
}

/// What the payload `text` (`v1.<base64url>`, as found after `share=`) carries.
pub fn decode(text: &str) -> Result<Share, ShareError> {
    let text = text.trim();
    if text.len() > PAYLOAD_CAP_CHARS {
        return Err(ShareError::TooLarge(format!(
            "{} characters (at most {PAYLOAD_CAP_CHARS})",
            text.len()
        )));
    }
    let Some((tag, body)) = text.split_once('.') else {
        return Err(ShareError::Format("it has no format tag".into()));
    };
    if tag != VERSION_TAG {
        return Err(ShareError::Format(format!(
            "its format is “{}”, and this app reads “{VERSION_TAG}” (a newer polyrun may open it)",
            shorten(tag)
        )));
    }
    let packed = URL_SAFE_NO_PAD.decode(body).map_err(|_| ShareError::Damaged)?;
    let json = unpack(&packed)?;
    let wire: Wire = serde_json::from_slice(&json).map_err(|e| ShareError::Invalid(e.to_string()))?;
    let language = Language::ALL
        .into_iter()
        .find(|l| l.id() == wire.language)
        .ok_or_else(|| ShareError::Invalid(UnknownLanguage(shorten(&wire.language)).to_string()))?;
    let shared = match (wire.problem, wire.tests, wire.stdin) {
        (Some(id), tests, None) => {
            if !polyrun_core::problem::is_valid_id(&id) {
                return Err(ShareError::Invalid(format!("“{}” is not a problem id", shorten(&id))));
            }
            let tests = tests
                .unwrap_or_default()
                .into_iter()
                .map(|t| SavedTest {
                    args: t.args,
                    expected: t.expected,
                })
                .collect();
            Shared::Problem { id, tests }
        }
        (None, None, Some(stdin)) => Shared::Playground { stdin },
        (Some(_), _, Some(_)) | (None, Some(_), _) => {
            return Err(ShareError::Invalid(
                "own tests belong with a problem, stdin with the playground, not both".into(),
            ));
        }
        (None, None, None) => {
            return Err(ShareError::Invalid(
                "it names neither a problem nor the playground".into(),
            ));
        }
    };
    let share = Share {
        language,
        code: wire.code,
        shared,
    };
    check_sizes(&share)?;
    Ok(share)
}

/// The zlib stream `packed`, unpacked to at most [`UNPACKED_CAP_BYTES`].
fn unpack(packed: &[u8]) -> Result<Vec<u8>, ShareError> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_zlib_with_limit};
    decompress_to_vec_zlib_with_limit(packed, UNPACKED_CAP_BYTES).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => {
            ShareError::TooLarge(format!("it unpacks to more than {UNPACKED_CAP_BYTES} bytes"))
        }
        _ => ShareError::Damaged,
    })
}

/// The code, stdin and tests within their caps.
fn check_sizes(share: &Share) -> Result<(), ShareError> {
    if share.code.len() > SOURCE_CAP_BYTES {
        return Err(ShareError::TooLarge(format!(
            "its code is {} bytes (at most {SOURCE_CAP_BYTES})",
            share.code.len()
        )));
    }
    match &share.shared {
        Shared::Playground { stdin } if stdin.len() > STDIN_CAP_BYTES => Err(ShareError::TooLarge(format!(
            "its stdin is {} bytes (at most {STDIN_CAP_BYTES})",
            stdin.len()
        ))),
        Shared::Problem { tests, .. } if tests.len() > TESTS_CAP => Err(ShareError::TooLarge(format!(
            "it has {} own tests (at most {TESTS_CAP})",
            tests.len()
        ))),
        _ => Ok(()),
    }
}

/// At most 40 characters of `text`, for messages.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// The link to `route` (a fragment path such as `/problems/two-sum`) of the page at
/// `page` (its address without the fragment) carrying `payload`.
pub fn link(page: &str, route: &str, payload: &str) -> String {
    let page = page.split('#').next().unwrap_or(page);
    format!("{page}#{route}?{PARAM}={payload}")
}

/// The payload in a fragment (`#/route?share=…&…`), if it has one.
pub fn payload_in(fragment: &str) -> Option<&str> {
    let (_, query) = fragment.split_once('?')?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(PARAM)?.strip_prefix('='))
}

#[cfg(test)]
mod tests;
