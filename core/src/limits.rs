//! Limits shared by the browser and the grader, and the visible truncation of long output.

/// What one test may print on each of stdout and stderr before the rest is cut.
pub const OUTPUT_CAP_BYTES: usize = 64 * 1024;

/// Everything one sandbox session may write on stdout and stderr together (records and
/// stray output alike) before the host stops it: what the host keeps of a session, and so
/// the memory a flood of output can take, is bounded by it.
pub const SESSION_OUTPUT_BUDGET_BYTES: usize = 8 * 1024 * 1024;

/// What a whole program (`polyrun run`, `POST /api/v1/run`, Judge0) keeps of each of
/// stdout and stderr by default; the rest is counted and reported as cut.
pub const RUN_OUTPUT_CAP_BYTES: usize = 1024 * 1024;

/// Default wall-time limit of a whole program (`polyrun run`, `POST /api/v1/run`, the
/// playground).
pub const RUN_TIME_LIMIT_MS: u64 = 5000;

/// The largest source accepted (the HTTP API answers 413 past it).
pub const SOURCE_CAP_BYTES: usize = 64 * 1024;

/// Default per-test time limit.
pub const DEFAULT_TIME_LIMIT_MS: u64 = 2000;

/// Default memory limit beyond the runtime's own footprint.
pub const DEFAULT_MEMORY_LIMIT_MB: u64 = 256;

/// Cuts `text` to [`OUTPUT_CAP_BYTES`] on a character boundary and, when anything was cut
/// (here or, `dropped` bytes, before), appends a visible marker saying how much.
pub fn cap_output(mut text: String, dropped: u64) -> String {
    let mut dropped = dropped;
    if text.len() > OUTPUT_CAP_BYTES {
        let mut end = OUTPUT_CAP_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        dropped = dropped.saturating_add((text.len() - end) as u64);
        text.truncate(end);
    }
    if dropped > 0 {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!("[output truncated: {dropped} more bytes not shown]\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_output_is_untouched() {
        assert_eq!(cap_output("hi\n".into(), 0), "hi\n");
    }

    #[test]
    fn long_output_is_cut_with_a_marker() {
        let long = "é".repeat(OUTPUT_CAP_BYTES);
        let capped = cap_output(long, 10);
        assert!(capped.len() < OUTPUT_CAP_BYTES + 100);
        assert!(capped.ends_with("more bytes not shown]\n"));
        assert!(capped.contains(&format!("{} more bytes", OUTPUT_CAP_BYTES + 10)));
    }
}
