//! Fuzz target `problem`: problem loading on arbitrary text. `parse_meta` on the input as a
//! `problem.toml`; `parse_tests` on it as a `tests.json` under a valid meta's parameters;
//! and, when the input holds a `\0`, the part before it as `problem.toml` and the part
//! after as that problem's `tests.json` (seeds: the bank's files, `fuzz/seeds/problem/`).
//!
//! Invariants: no panic; an error names the problem and the file and says something; a
//! meta that loads survives a round trip through TOML; loaded tests have one argument per
//! parameter and an expected value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use polyrun_core::problem::{ProblemError, parse_meta, parse_tests};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    meta(text);
    tests(text, &["nums".to_owned(), "target".to_owned()]);
    tests(text, &[]);
    if let Some((meta_text, tests_text)) = text.split_once('\0')
        && let Some(params) = meta(meta_text)
    {
        tests(tests_text, &params);
    }
});

fn meta(text: &str) -> Option<Vec<String>> {
    match parse_meta("fuzz-problem", text) {
        Ok(meta) => {
            let again = toml::to_string(&meta).expect("a meta serializes to TOML");
            let back = parse_meta("fuzz-problem", &again)
                .unwrap_or_else(|e| panic!("a loaded meta does not load again: {e}\n{again}"));
            assert_eq!(back, meta, "TOML round trip:\n{again}");
            Some(meta.params)
        }
        Err(e) => {
            named(&e, "problem.toml");
            None
        }
    }
}

fn tests(text: &str, params: &[String]) {
    match parse_tests("fuzz-problem", text, params) {
        Ok(tests) => {
            assert!(!tests.is_empty());
            for test in tests {
                assert_eq!(test.args.len(), params.len());
                assert!(test.expected.is_some());
            }
        }
        Err(e) => named(&e, "tests.json"),
    }
}

fn named(e: &ProblemError, file: &str) {
    assert_eq!(e.problem, "fuzz-problem");
    assert_eq!(e.file, file);
    assert!(!e.message.trim().is_empty(), "an error without a message: {e:?}");
    if let Some(key) = &e.key {
        assert!(!key.is_empty());
    }
    let shown = e.to_string();
    assert!(
        shown.starts_with("problem 'fuzz-problem': ") && shown.contains(file),
        "{shown}"
    );
}
