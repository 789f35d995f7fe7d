//! How sizes read on the page: megabytes of a download, and the memory a run used as the
//! grader measured it.

/// `12.3 MB`.
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// ` · 52.5 MB of memory` when the memory was measured (`memory_kb`, KiB: a run on the
/// grader), else nothing.
pub fn memory_note(memory_kb: Option<u64>) -> String {
    match memory_kb {
        Some(kib) => format!(" · {} of memory", megabytes(kib.saturating_mul(1024))),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_megabytes() {
        assert_eq!(megabytes(12_345_678), "12.3 MB");
        assert_eq!(memory_note(Some(51_264)), " · 52.5 MB of memory");
        assert_eq!(memory_note(Some(0)), " · 0.0 MB of memory");
        assert_eq!(memory_note(None), "");
    }
}
