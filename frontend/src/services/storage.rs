//! What the app keeps in the browser's local storage: drafts (code per problem and
//! language), the learner's own tests per problem, the solved problems and the last
//! language used. Storage can be missing or full: reads then find nothing and writes are
//! dropped, and the app works on without them.

use std::collections::BTreeSet;

use gloo_storage::{LocalStorage, Storage};
use polyrun_core::Language;

use crate::account::Session;
use crate::state::SavedTest;

fn draft_key(problem: &str, language: Language) -> String {
    format!("polyrun:draft:{problem}:{}", language.id())
}

fn tests_key(problem: &str) -> String {
    format!("polyrun:tests:{problem}")
}

const SOLVED_KEY: &str = "polyrun:solved";
const LANGUAGE_KEY: &str = "polyrun:language";

/// The saved draft of `problem` in `language`.
pub fn load_draft(problem: &str, language: Language) -> Option<String> {
    LocalStorage::get::<String>(draft_key(problem, language)).ok()
}

/// Saves a draft; `None` (the starter code) removes it.
pub fn save_draft(problem: &str, language: Language, code: Option<&str>) {
    match code {
        Some(code) => {
            let _ = LocalStorage::set(draft_key(problem, language), code);
        }
        None => LocalStorage::delete(draft_key(problem, language)),
    }
}

/// The learner's own tests for `problem`.
pub fn load_tests(problem: &str) -> Vec<SavedTest> {
    LocalStorage::get(tests_key(problem)).unwrap_or_default()
}

/// Saves the learner's own tests for `problem`.
pub fn save_tests(problem: &str, tests: &[SavedTest]) {
    if tests.is_empty() {
        LocalStorage::delete(tests_key(problem));
    } else {
        let _ = LocalStorage::set(tests_key(problem), tests);
    }
}

/// The ids of the problems solved in this browser.
pub fn solved() -> BTreeSet<String> {
    LocalStorage::get(SOLVED_KEY).unwrap_or_default()
}

/// Marks `problem` solved.
pub fn mark_solved(problem: &str) {
    let mut solved = solved();
    if solved.insert(problem.to_owned()) {
        let _ = LocalStorage::set(SOLVED_KEY, &solved);
    }
}

/// Marks `problem` not solved (a submission the grader did not accept).
pub fn unmark_solved(problem: &str) {
    let mut solved = solved();
    if solved.remove(problem) {
        let _ = LocalStorage::set(SOLVED_KEY, &solved);
    }
}

/// The language used last, if any.
pub fn last_language() -> Option<Language> {
    LocalStorage::get::<String>(LANGUAGE_KEY).ok()?.parse().ok()
}

/// Remembers the language used last.
pub fn save_language(language: Language) {
    let _ = LocalStorage::set(LANGUAGE_KEY, language.id());
}

const SESSION_KEY: &str = "polyrun:session";

/// The signed-in session (token, name, role), if any.
pub fn load_session() -> Option<Session> {
    LocalStorage::get(SESSION_KEY).ok()
}

/// Keeps the signed-in session; `None` (sign out) forgets it.
pub fn save_session(session: Option<&Session>) {
    match session {
        Some(session) => {
            let _ = LocalStorage::set(SESSION_KEY, session);
        }
        None => LocalStorage::delete(SESSION_KEY),
    }
}

const PACKS_KEY: &str = "polyrun:packs";

/// The loaded problem packs, in the order they were first loaded.
pub fn load_packs() -> Vec<crate::packs::StoredPack> {
    LocalStorage::get(PACKS_KEY).unwrap_or_default()
}

/// Keeps the loaded problem packs (all at once: a write that fails changes nothing).
pub fn save_packs(packs: &[crate::packs::StoredPack]) -> Result<(), String> {
    if packs.is_empty() {
        LocalStorage::delete(PACKS_KEY);
        return Ok(());
    }
    LocalStorage::set(PACKS_KEY, packs)
        .map_err(|e| format!("this browser could not keep the pack (its storage is full or off): {e}"))
}

const THEME_KEY: &str = "polyrun:theme";

/// The theme chosen in the footer (the system's when none was).
pub fn theme() -> crate::theme::Theme {
    crate::theme::Theme::parse(&LocalStorage::get::<String>(THEME_KEY).unwrap_or_default())
}

/// Keeps the theme chosen; the system's is kept as no choice at all.
pub fn save_theme(theme: crate::theme::Theme) {
    match theme.attribute() {
        Some(id) => {
            let _ = LocalStorage::set(THEME_KEY, id);
        }
        None => LocalStorage::delete(THEME_KEY),
    }
}
