//! The playground's rules, apart from the page: starter programs per language, the limits
//! (`polyrun run`'s defaults, the HTTP API's bounds), the cap on standard input, where
//! drafts are kept, and how a run's outcome is shown (`run-status`'s `data-status`).

use polyrun_core::Language;
use polyrun_core::limits::{DEFAULT_MEMORY_LIMIT_MB, RUN_TIME_LIMIT_MS};
use polyrun_core::report::{RunReport, RunStatus};

/// The default time limit: `polyrun run`'s.
pub const DEFAULT_TIME_MS: u64 = RUN_TIME_LIMIT_MS;
/// The default memory limit: `polyrun run`'s.
pub const DEFAULT_MEMORY_MB: u64 = DEFAULT_MEMORY_LIMIT_MB;
/// The longest time limit one may set (`POST /api/v1/run` allows no more).
pub const MAX_TIME_MS: u64 = 15_000;
/// The largest memory limit one may set (`POST /api/v1/run` allows no more).
pub const MAX_MEMORY_MB: u64 = 1024;
/// The largest standard input a run takes: the grader's API takes a request body of at most
/// 1 MiB, so a larger input could not run there either. Over it, the run is refused with a
/// message and nothing is started.
pub const STDIN_CAP_BYTES: usize = 1024 * 1024;

/// The draft key ("problem" part of the drafts' storage key) of the playground's programs:
/// not a problem id (those have no `:`), so no problem's draft is ever overwritten.
pub const SOURCE_DRAFT: &str = "playground:source";
/// The draft key of the playground's standard input.
pub const STDIN_DRAFT: &str = "playground:stdin";

/// The starter program of `language`: reads a line, prints a greeting.
pub fn starter(language: Language) -> &'static str {
    match language {
        Language::Python => {
            "import sys\n\nname = sys.stdin.readline().strip() or \"world\"\nprint(f\"Hello, {name}!\")\n"
        }
        Language::Ruby => "name = gets.to_s.strip\nname = \"world\" if name.empty?\nputs \"Hello, #{name}!\"\n",
        Language::Javascript => {
            "const name = (readline() ?? \"\").trim() || \"world\";\nconsole.log(`Hello, ${name}!`);\n"
        }
    }
}

/// The standard input a new playground starts with.
pub const STARTER_STDIN: &str = "polyrun\n";

/// `text` as a limit between 1 and `max`, or what is wrong with it.
pub fn parse_limit(text: &str, max: u64, what: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("The {what} must be a whole number from 1 to {max}.")),
    }
}

/// Whether `stdin` may be run; the message to show when not.
pub fn check_stdin(stdin: &str) -> Result<(), String> {
    if stdin.len() <= STDIN_CAP_BYTES {
        return Ok(());
    }
    Err(format!(
        "The standard input is {} ({} bytes), over the playground's cap of {} ({} bytes), \
         which the grader has too. Nothing was run: shorten the input and run again.",
        mib(stdin.len()),
        thousands(stdin.len()),
        mib(STDIN_CAP_BYTES),
        thousands(STDIN_CAP_BYTES),
    ))
}

/// `bytes` in MiB: `1 MiB`, `9.54 MiB` (two decimals unless whole).
fn mib(bytes: usize) -> String {
    let value = bytes as f64 / (1024.0 * 1024.0);
    if bytes.is_multiple_of(1024 * 1024) {
        format!("{value:.0} MiB")
    } else {
        format!("{value:.2} MiB")
    }
}

/// `1048576` as `1,048,576`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a run came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The program ran (in the browser or on the grader).
    Ran(RunReport),
    /// It could not run: the reason.
    Failed(String),
    /// The learner stopped it (Stop) before it ended.
    Stopped,
}

impl Outcome {
    /// `run-status`'s `data-status`: `ok`, `time_limit_exceeded`, `memory_limit_exceeded` or
    /// `error` (the spec's), or `stopped` (Stop, an extension).
    pub fn data_status(&self) -> &'static str {
        match self {
            Outcome::Ran(report) => match report.status {
                RunStatus::Ok => "ok",
                RunStatus::TimeLimitExceeded => "time_limit_exceeded",
                RunStatus::MemoryLimitExceeded => "memory_limit_exceeded",
            },
            Outcome::Failed(_) => "error",
            Outcome::Stopped => "stopped",
        }
    }

    /// Whether the status line is shown as an error: a run that could not happen, or a
    /// program that exited with a status other than 0 (its `data-status` is still `ok`,
    /// as `polyrun run` says, but it did not succeed).
    pub fn is_error(&self) -> bool {
        match self {
            Outcome::Ran(report) => report.status == RunStatus::Ok && report.exit_code != 0,
            Outcome::Failed(_) => true,
            Outcome::Stopped => false,
        }
    }

    /// The line `run-status` shows.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Ran(report) => {
                let how = match report.status {
                    RunStatus::Ok if report.exit_code == 0 => "Finished".to_owned(),
                    RunStatus::Ok => "Exited with an error".to_owned(),
                    RunStatus::TimeLimitExceeded => "Time limit exceeded".to_owned(),
                    RunStatus::MemoryLimitExceeded => "Memory limit exceeded".to_owned(),
                };
                let memory = crate::units::memory_note(report.memory_kb);
                format!(
                    "{how} · exit code {} · {:.1} ms{memory}",
                    report.exit_code, report.time_ms
                )
            }
            Outcome::Failed(reason) => format!("Not run: {reason}"),
            Outcome::Stopped => "Stopped: you stopped the program before it ended.".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(status: RunStatus, exit_code: i32) -> RunReport {
        RunReport {
            stdout: String::new(),
            stderr: String::new(),
            exit_code,
            time_ms: 12.34,
            status,
            memory_kb: None,
        }
    }

    #[test]
    fn defaults_are_polyrun_runs() {
        assert_eq!((DEFAULT_TIME_MS, DEFAULT_MEMORY_MB), (5000, 256));
    }

    #[test]
    fn every_language_has_a_starter_that_reads_stdin() {
        assert!(starter(Language::Python).contains("sys.stdin.readline()"));
        assert!(starter(Language::Ruby).contains("gets"));
        assert!(starter(Language::Javascript).contains("readline()"));
    }

    #[test]
    fn limits_are_whole_numbers_in_range() {
        assert_eq!(parse_limit(" 1000 ", MAX_TIME_MS, "time limit"), Ok(1000));
        assert!(parse_limit("0", MAX_TIME_MS, "time limit").is_err());
        assert!(parse_limit("15001", MAX_TIME_MS, "time limit").is_err());
        assert!(parse_limit("1.5", MAX_MEMORY_MB, "memory limit").is_err());
    }

    #[test]
    fn stdin_over_the_cap_is_refused_with_its_size() {
        assert!(check_stdin(&"x".repeat(STDIN_CAP_BYTES)).is_ok());
        let refused = check_stdin(&"x".repeat(10_000_000)).unwrap_err();
        assert!(refused.contains("is 9.54 MiB (10,000,000 bytes)"), "{refused}");
        assert!(refused.contains("cap of 1 MiB (1,048,576 bytes)"), "{refused}");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }

    #[test]
    fn outcomes_map_to_the_spec_statuses() {
        let ok = Outcome::Ran(report(RunStatus::Ok, 3));
        assert_eq!(ok.data_status(), "ok");
        assert_eq!(ok.summary(), "Exited with an error · exit code 3 · 12.3 ms");
        let measured = Outcome::Ran(RunReport {
            memory_kb: Some(51_264),
            ..report(RunStatus::Ok, 0)
        });
        assert_eq!(
            measured.summary(),
            "Finished · exit code 0 · 12.3 ms · 52.5 MB of memory"
        );
        assert!(ok.is_error(), "a non-zero exit is shown as an error");
        assert!(!Outcome::Ran(report(RunStatus::Ok, 0)).is_error());
        assert_eq!(Outcome::Stopped.data_status(), "stopped");
        let time = Outcome::Ran(report(RunStatus::TimeLimitExceeded, 124));
        assert_eq!(time.data_status(), "time_limit_exceeded");
        let memory = Outcome::Ran(report(RunStatus::MemoryLimitExceeded, 137));
        assert_eq!(memory.data_status(), "memory_limit_exceeded");
        assert_eq!(Outcome::Failed("no".into()).data_status(), "error");
    }
}
