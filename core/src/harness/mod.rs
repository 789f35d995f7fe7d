//! The language harnesses: small programs, one per language, that load a user's source,
//! call the entry point once per test and report in the records of [`crate::protocol`].
//! The grader and the browser worker run these same texts.

use crate::language::Language;
use crate::limits::OUTPUT_CAP_BYTES;
use crate::protocol::{HarnessInput, HarnessTest};

/// The Python harness (CPython 3.14: Pyodide in the browser, componentize-py's build in the
/// grader).
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

/// The entry point of [`primer`]'s program (the same name in every language).
pub const PRIMER_FUNCTION: &str = "__polyrun_prime";

const PRIMER_PYTHON: &str = "\
def __polyrun_prime(xs, label):
    print(label)
    return {\"sum\": sum(xs), \"items\": sorted(xs), \"label\": label, \"half\": len(xs) / 2}
";

const PRIMER_RUBY: &str = "\
def __polyrun_prime(xs, label)
  puts label
  { \"sum\" => xs.sum, \"items\" => xs.sort, \"label\" => label, \"half\" => xs.size / 2.0 }
end
";

// An assignment, not a declaration: the worker can delete the global again afterwards.
const PRIMER_JAVASCRIPT: &str = "\
globalThis.__polyrun_prime = function (xs, label) {
  console.log(label);
  return { sum: xs.reduce((a, b) => a + b, 0), items: [...xs].sort((a, b) => a - b), label, half: xs.length / 2 };
};
";

/// A trivial program and two tests through `language`'s harness: the browser worker runs it
/// once before its first real session, so that the harness and the interpreter paths every
/// run takes are loaded and compiled before a user's run is timed. It writes to stdout, so a
/// host can check that the harness answered (a `done` record).
pub fn primer(language: Language) -> HarnessInput {
    let source = match language {
        Language::Python => PRIMER_PYTHON,
        Language::Ruby => PRIMER_RUBY,
        Language::Javascript => PRIMER_JAVASCRIPT,
    };
    let tests = [r#"[[3, 1, 2], "primed"]"#, r#"[[], "again"]"#]
        .iter()
        .enumerate()
        .map(|(index, args)| HarnessTest {
            index,
            args: (*args).to_owned(),
        })
        .collect();
    HarnessInput {
        function: PRIMER_FUNCTION.to_owned(),
        source: source.to_owned(),
        tests,
        output_cap: OUTPUT_CAP_BYTES,
        memory_limit_mb: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primer_defines_its_entry_point_in_every_language() {
        for language in Language::ALL {
            let input = primer(language);
            assert_eq!(input.function, PRIMER_FUNCTION);
            assert!(input.source.contains(PRIMER_FUNCTION), "{language}");
            let text = input.wire();
            assert_eq!(text.lines().count(), 1 + input.tests.len(), "{text}");
            for test in &input.tests {
                let args: serde_json::Value = serde_json::from_str(&test.args).expect("JSON arguments");
                assert_eq!(args.as_array().map(Vec::len), Some(2));
            }
        }
    }
}
