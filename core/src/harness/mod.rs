//! The language harnesses: small programs, one per language, that load a user's source,
//! call the entry point once per test and report in the records of [`crate::protocol`].
//! The grader and the browser worker run these same texts.

use crate::language::Language;

/// The Python harness (CPython 3.12).
pub const PYTHON: &str = include_str!("python.py");
/// The Ruby harness (CRuby 3.4).
pub const RUBY: &str = include_str!("ruby.rb");
/// The JavaScript harness (QuickJS in the grader, the browser's engine in the worker).
pub const JAVASCRIPT: &str = include_str!("javascript.js");
/// The JavaScript prelude: the globals user code sees (console, readline, require, process)
/// built on the host object `__polyrun`.
pub const JAVASCRIPT_PRELUDE: &str = include_str!("prelude.js");
/// The Python runner of whole programs (`polyrun run`): runs `sys.argv[1]` as `main.py`.
pub const PYTHON_RUNNER: &str = include_str!("run.py");
/// The Ruby runner of whole programs: runs `ARGV[0]` as `main.rb`.
pub const RUBY_RUNNER: &str = include_str!("run.rb");

/// The harness of a language.
pub fn harness(language: Language) -> &'static str {
    match language {
        Language::Python => PYTHON,
        Language::Ruby => RUBY,
        Language::Javascript => JAVASCRIPT,
    }
}
