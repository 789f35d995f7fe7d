//! Judge0 CE 1.13.1's fixed vocabulary: its statuses, the language ids its clients
//! hard-code (71 Python, 72 Ruby, 63 JavaScript), its configured limits and `/config_info`.

use polyrun_core::Language;
use serde_json::{Value, json};

/// The Judge0 version this server answers as; clients pick their language-id table by it.
pub const JUDGE0_VERSION: &str = "1.13.1";

/// `/about`'s homepage and source code: the workspace's `repository` (Cargo.toml), which
/// this crate does not inherit.
const HOMEPAGE: &str = "https://example.invalid/polyrun";

/// A submission's status: Judge0's id and description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// Judge0's id.
    pub id: u8,
    /// Judge0's description.
    pub description: &'static str,
}

impl Status {
    /// Waiting for a sandbox.
    pub const IN_QUEUE: Status = Status::new(1, "In Queue");
    /// Running.
    pub const PROCESSING: Status = Status::new(2, "Processing");
    /// Exited 0 (and printed the expected output, when one was given).
    pub const ACCEPTED: Status = Status::new(3, "Accepted");
    /// Exited 0 without printing the expected output.
    pub const WRONG_ANSWER: Status = Status::new(4, "Wrong Answer");
    /// Stopped at the time limit.
    pub const TIME_LIMIT_EXCEEDED: Status = Status::new(5, "Time Limit Exceeded");
    /// Exited with a status other than 0.
    pub const RUNTIME_ERROR_NZEC: Status = Status::new(11, "Runtime Error (NZEC)");
    /// Stopped at the memory limit.
    pub const RUNTIME_ERROR_OTHER: Status = Status::new(12, "Runtime Error (Other)");
    /// The grader could not run it.
    pub const INTERNAL_ERROR: Status = Status::new(13, "Internal Error");

    const fn new(id: u8, description: &'static str) -> Status {
        Status { id, description }
    }

    /// `{"id", "description"}`.
    pub fn to_json(self) -> Value {
        json!({"id": self.id, "description": self.description})
    }
}

/// Every status Judge0 CE 1.13.1 lists (`GET /statuses`); 6–10 and 14 never come from this
/// server (interpreters have no compile step, and a sandboxed program gets no signals).
pub const STATUSES: [Status; 14] = [
    Status::IN_QUEUE,
    Status::PROCESSING,
    Status::ACCEPTED,
    Status::WRONG_ANSWER,
    Status::TIME_LIMIT_EXCEEDED,
    Status::new(6, "Compilation Error"),
    Status::new(7, "Runtime Error (SIGSEGV)"),
    Status::new(8, "Runtime Error (SIGXFSZ)"),
    Status::new(9, "Runtime Error (SIGFPE)"),
    Status::new(10, "Runtime Error (SIGABRT)"),
    Status::RUNTIME_ERROR_NZEC,
    Status::RUNTIME_ERROR_OTHER,
    Status::INTERNAL_ERROR,
    Status::new(14, "Exec Format Error"),
];

/// One of the languages served, under Judge0 CE 1.13.1's id for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judge0Language {
    /// Judge0 CE 1.13.1's id.
    pub id: u32,
    /// The language polyrun runs.
    pub language: Language,
    /// The file name Judge0 would write the source to.
    pub source_file: &'static str,
}

/// The languages, in `/languages` order (by name, as Judge0 sorts them).
pub const LANGUAGES: [Judge0Language; 3] = [
    Judge0Language {
        id: 63,
        language: Language::Javascript,
        source_file: "script.js",
    },
    Judge0Language {
        id: 71,
        language: Language::Python,
        source_file: "script.py",
    },
    Judge0Language {
        id: 72,
        language: Language::Ruby,
        source_file: "script.rb",
    },
];

impl Judge0Language {
    /// The language with Judge0 id `id`, if served.
    pub fn by_id(id: u64) -> Option<&'static Judge0Language> {
        LANGUAGES.iter().find(|l| u64::from(l.id) == id)
    }

    /// Judge0's shape of name, with this server's real runtime version: `Python (3.14.0)`.
    /// The versions are the pinned runtimes' (runtimes-wasm/src/lib.rs).
    pub fn name(&self) -> String {
        let version = match self.language {
            Language::Python => polyrun_runtimes::PYTHON_COMPONENT_VERSION,
            Language::Ruby => polyrun_runtimes::RUBY.runtime_version,
            // "QuickJS-ng 0.16.2 (rquickjs 0.14)": the engine, without the binding's version.
            Language::Javascript => polyrun_runtimes::JS_ENGINE_VERSION
                .split(" (")
                .next()
                .unwrap_or(polyrun_runtimes::JS_ENGINE_VERSION),
        };
        format!("{} ({version})", self.language.display_name())
    }

    /// `{"id", "name"}`, as `/languages` lists it.
    pub fn summary(&self) -> Value {
        json!({"id": self.id, "name": self.name()})
    }

    /// Every attribute, as `/languages/{id}` shows it.
    pub fn detail(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name(),
            "is_archived": false,
            "source_file": self.source_file,
            "compile_cmd": null,
            "run_cmd": format!("polyrun run --lang {} {}", self.language.id(), self.source_file),
        })
    }
}

/// A limit's default and the most a submission may ask for.
#[derive(Debug, Clone, Copy)]
pub struct Bound<T> {
    /// Used when the submission names none.
    pub default: T,
    /// The least accepted.
    pub min: T,
    /// The most accepted.
    pub max: T,
}

/// Seconds of CPU time (Judge0's defaults). Measured here on the wall clock: see
/// `request::Limits::time_limit_ms`.
pub const CPU_TIME_LIMIT: Bound<f64> = Bound {
    default: 5.0,
    min: 0.0,
    max: 15.0,
};
/// Seconds a program may run past the CPU limit before it is killed (accepted, not used).
pub const CPU_EXTRA_TIME: Bound<f64> = Bound {
    default: 1.0,
    min: 0.0,
    max: 5.0,
};
/// Seconds of wall-clock time.
pub const WALL_TIME_LIMIT: Bound<f64> = Bound {
    default: 10.0,
    min: 0.0,
    max: 20.0,
};
/// Kilobytes of memory (beyond the runtime's own footprint here).
pub const MEMORY_LIMIT: Bound<u64> = Bound {
    default: 128_000,
    min: 2_048,
    max: 512_000,
};
/// Kilobytes of stack (accepted, not used: the runtimes have their own stacks).
pub const STACK_LIMIT: Bound<u64> = Bound {
    default: 64_000,
    min: 0,
    max: 128_000,
};
/// Processes and threads (accepted, not used: a sandbox has one thread).
pub const MAX_PROCESSES: Bound<u64> = Bound {
    default: 60,
    min: 1,
    max: 120,
};
/// Kilobytes a file written may have (accepted, not used: nothing is written to the host).
pub const MAX_FILE_SIZE: Bound<u64> = Bound {
    default: 1_024,
    min: 0,
    max: 4_096,
};
/// Runs of the program (accepted; it runs once, its result is the same).
pub const NUMBER_OF_RUNS: Bound<u64> = Bound {
    default: 1,
    min: 1,
    max: 20,
};
/// Submissions created without `wait=true` and not finished yet, at most (beyond: 429).
pub const MAX_QUEUE_SIZE: usize = 100;
/// Submissions in one batch, at most.
pub const MAX_BATCH_SIZE: usize = 20;

/// `GET /about`.
pub fn about() -> Value {
    json!({
        "version": JUDGE0_VERSION,
        "homepage": HOMEPAGE,
        "source_code": HOMEPAGE,
        "maintainer": "polyrun",
        "polyrun": env!("CARGO_PKG_VERSION"),
    })
}

/// `GET /config_info`: Judge0's keys with this server's values.
pub fn config_info() -> Value {
    json!({
        "maintenance_mode": false,
        "enable_wait_result": true,
        "enable_compiler_options": false,
        "allowed_languages_for_compile_options": [],
        "enable_command_line_arguments": false,
        "enable_submission_delete": false,
        "enable_callbacks": false,
        "callbacks_max_tries": 0,
        "callbacks_timeout": 0.0,
        "enable_additional_files": false,
        "max_queue_size": MAX_QUEUE_SIZE,
        "cpu_time_limit": CPU_TIME_LIMIT.default,
        "max_cpu_time_limit": CPU_TIME_LIMIT.max,
        "cpu_extra_time": CPU_EXTRA_TIME.default,
        "max_cpu_extra_time": CPU_EXTRA_TIME.max,
        "wall_time_limit": WALL_TIME_LIMIT.default,
        "max_wall_time_limit": WALL_TIME_LIMIT.max,
        "memory_limit": MEMORY_LIMIT.default,
        "max_memory_limit": MEMORY_LIMIT.max,
        "stack_limit": STACK_LIMIT.default,
        "max_stack_limit": STACK_LIMIT.max,
        "max_processes_and_or_threads": MAX_PROCESSES.default,
        "max_max_processes_and_or_threads": MAX_PROCESSES.max,
        "enable_per_process_and_thread_time_limit": false,
        "allow_enable_per_process_and_thread_time_limit": true,
        "enable_per_process_and_thread_memory_limit": false,
        "allow_enable_per_process_and_thread_memory_limit": true,
        "max_file_size": MAX_FILE_SIZE.default,
        "max_max_file_size": MAX_FILE_SIZE.max,
        "number_of_runs": NUMBER_OF_RUNS.default,
        "max_number_of_runs": NUMBER_OF_RUNS.max,
        "redirect_stderr_to_stdout": false,
        "max_extract_size": 10_240,
        "enable_batched_submissions": true,
        "max_submission_batch_size": MAX_BATCH_SIZE,
        "submission_cache_duration": 1.0,
        "use_docs_as_homepage": false,
        "enable_network": false,
        "allow_enable_network": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_carry_judge0_ids_and_real_versions() {
        let ids: Vec<u32> = LANGUAGES.iter().map(|l| l.id).collect();
        assert_eq!(ids, [63, 71, 72]);
        let python = Judge0Language::by_id(71).expect("71");
        assert_eq!(python.language, Language::Python);
        assert_eq!(
            python.name(),
            format!("Python ({})", polyrun_runtimes::PYTHON_COMPONENT_VERSION)
        );
        let javascript = Judge0Language::by_id(63).expect("63").name();
        assert!(javascript.starts_with("JavaScript (QuickJS"), "{javascript}");
        assert!(!javascript.contains("rquickjs"), "{javascript}");
        assert!(Judge0Language::by_id(70).is_none());
    }

    #[test]
    fn statuses_are_judge0s_fourteen_in_order() {
        let ids: Vec<u8> = STATUSES.iter().map(|s| s.id).collect();
        assert_eq!(ids, (1..=14).collect::<Vec<u8>>());
        assert_eq!(STATUSES[10].description, "Runtime Error (NZEC)");
    }
}
