//! Fuzz target `records`: a harness's output, as a sandboxed program could forge it, through
//! everything that reads it: `StreamParser` (fed in arbitrary chunks), `SessionLog`
//! (stdout and stderr), then `Grading::absorb` and `report()` on a three-test problem.
//!
//! Input: byte 0 configures the problem (bits 0-1 language, 2-3 comparison mode, 4-6 which
//! of the three tests are hidden, 7 the chunking); the rest is up to four sessions separated
//! by `\0\0`, each one byte for how it ended and then its stdout, then (after `\0\x02`) its
//! stderr. Seeds in `fuzz/seeds/records/` are real harness output in this form.
//!
//! Invariants: no panic; the same bytes give the same items, progress and released test lines
//! (never more than were sent, never fewer than before) however they are chunked; the
//! report has one line per test, in order, `passed <= total`; after `redact_hidden()` a
//! hidden test carries no detail and a public one does; the report serializes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use polyrun_core::grading::{Grading, SessionEnd, SessionLog};
use polyrun_core::problem::{Problem, parse_meta, parse_tests};
use polyrun_core::protocol::{Item, StreamParser};
use polyrun_core::{CompareMode, Language, Verdict};

fuzz_target!(|data: &[u8]| {
    let Some((&config, rest)) = data.split_first() else {
        return;
    };
    let problem = problem(config);
    let language = Language::ALL[usize::from(config & 3) % 3];
    let mut grading = Grading::new(&problem, language, "def double(n): return 2 * n");
    for session in split(rest, b"\0\0").into_iter().take(4) {
        let Some((&end, session)) = session.split_first() else {
            continue;
        };
        let (stdout, stderr) = match find(session, b"\0\x02") {
            Some(at) => (&session[..at], &session[at + 2..]),
            None => (session, &[][..]),
        };
        let chunks = chunks(stdout, config, end);

        // The parser alone: one push, or the chunks, give the same items.
        let whole = parse(&[stdout]);
        let chunked = parse(&chunks);
        assert_eq!(merged(whole), merged(chunked), "the parser depends on chunking");

        // The session log: same items, and the same progress, however stdout arrives.
        let Some(input) = grading.next_input() else {
            break;
        };
        let (session, progress) = log(&input, &[stdout], stderr, end);
        let (chunked, chunked_progress) = log(&input, &chunks, stderr, end);
        assert_eq!(
            merged(session.items.clone()),
            merged(chunked.items),
            "the log depends on chunking"
        );
        assert_eq!(progress, chunked_progress, "progress depends on chunking");

        grading.absorb(session);
    }

    let mut report = grading.report(1.0);
    assert_eq!(report.total, problem.tests.len());
    assert_eq!(report.tests.len(), problem.tests.len());
    assert!(report.passed <= report.total);
    assert_eq!(
        report.passed,
        report.tests.iter().filter(|t| t.verdict == Verdict::Accepted).count()
    );
    for (i, test) in report.tests.iter().enumerate() {
        assert_eq!(test.index, i);
        assert_eq!(test.hidden, problem.tests[i].hidden);
    }
    report.redact_hidden();
    for test in &report.tests {
        assert_eq!(
            test.detail.is_none(),
            test.hidden,
            "test {} after redaction",
            test.index
        );
    }
    let json = serde_json::to_string(&report).expect("a report serializes");
    assert!(!json.is_empty());
});

/// A `double(n)` problem with three tests, hidden as `config` says.
fn problem(config: u8) -> Problem {
    let compare = match (config >> 2) & 3 {
        1 => "unordered",
        2 => "float",
        _ => "exact",
    };
    let meta = parse_meta(
        "double",
        &format!("title = \"Double\"\ndifficulty = \"easy\"\nfunction = \"double\"\nparams = [\"n\"]\ncompare = \"{compare}\"\n"),
    )
    .expect("the fuzz problem's meta is valid");
    let hidden = |i: u8| (config >> (4 + i)) & 1 == 1;
    let tests = parse_tests(
        "double",
        &format!(
            r#"[{{"args": [1], "expected": 2, "hidden": {}}}, {{"args": [[2, 1]], "expected": [1, 2], "hidden": {}}}, {{"args": [1.5], "expected": 3.0, "hidden": {}}}]"#,
            hidden(0),
            hidden(1),
            hidden(2)
        ),
        &meta.params,
    )
    .expect("the fuzz problem's tests are valid");
    assert_eq!(meta.compare == CompareMode::Exact, compare == "exact");
    Problem {
        id: "double".into(),
        meta,
        statement: String::new(),
        tests,
        solutions: Default::default(),
    }
}

fn end(byte: u8) -> SessionEnd {
    match byte % 5 {
        0 => SessionEnd::Exited(i32::from(byte / 5)),
        1 => SessionEnd::TimeLimit,
        2 => SessionEnd::MemoryLimit,
        3 => SessionEnd::StackOverflow,
        4 if byte % 2 == 0 => SessionEnd::OutputLimit,
        _ => SessionEnd::Crashed("wasm trap: unreachable".into()),
    }
}

fn parse(chunks: &[&[u8]]) -> Vec<Item> {
    let mut parser = StreamParser::new();
    let mut out = Vec::new();
    for chunk in chunks {
        parser.push(chunk, &mut out);
    }
    parser.finish(&mut out);
    out
}

fn log(
    input: &polyrun_core::protocol::HarnessInput,
    chunks: &[&[u8]],
    stderr: &[u8],
    end_byte: u8,
) -> (polyrun_core::grading::Session, (bool, usize)) {
    let mut log = SessionLog::new(input);
    let mut progress = false;
    let mut released = 0;
    for chunk in chunks {
        progress |= log.stdout(chunk) == polyrun_core::grading::LogEvent::Progress;
        assert!(log.released() >= released, "a released line cannot be taken back");
        released = log.released();
    }
    assert!(released <= input.tests.len(), "more lines released than tests sent");
    log.stderr(stderr);
    (log.finish(end(end_byte)), (progress, released))
}

/// Adjacent stray bytes on one fd merged: how they were cut depends on the writes.
fn merged(items: Vec<Item>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    for item in items {
        match (out.last_mut(), item) {
            (Some(Item::Stray { fd: last, bytes: prev }), Item::Stray { fd, bytes }) if *last == fd => {
                prev.extend_from_slice(&bytes)
            }
            (_, Item::Stray { bytes, .. }) if bytes.is_empty() => {}
            (_, item) => out.push(item),
        }
    }
    out
}

/// `bytes` cut into pieces of pseudo-random lengths (1..=16, or single bytes).
fn chunks(bytes: &[u8], config: u8, seed: u8) -> Vec<&[u8]> {
    let mut state = u32::from(seed).wrapping_mul(2_654_435_761) | 1;
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let len = if config & 0x80 != 0 {
            1
        } else {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            1 + (state % 16) as usize
        };
        let (head, tail) = rest.split_at(len.min(rest.len()));
        out.push(head);
        rest = tail;
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(mut bytes: &'a [u8], separator: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    while let Some(at) = find(bytes, separator) {
        out.push(&bytes[..at]);
        bytes = &bytes[at + separator.len()..];
    }
    out.push(bytes);
    out
}
