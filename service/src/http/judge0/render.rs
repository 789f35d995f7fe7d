//! A submission as Judge0 shows it: the `fields` asked for (Judge0's eight by default, `*`
//! for all), times as decimal strings in seconds, dates as `2024-01-02T03:04:05.678Z`, and
//! the text fields base64 when `base64_encoded=true`.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::{Map, Value};

use super::store::{Progress, Record};
use crate::http::error::ApiError;

/// Every attribute of a Judge0 CE 1.13.1 submission, in its order.
pub const ALL_FIELDS: [&str; 35] = [
    "source_code",
    "language_id",
    "stdin",
    "expected_output",
    "stdout",
    "status_id",
    "created_at",
    "finished_at",
    "time",
    "memory",
    "stderr",
    "token",
    "number_of_runs",
    "cpu_time_limit",
    "cpu_extra_time",
    "wall_time_limit",
    "memory_limit",
    "stack_limit",
    "max_processes_and_or_threads",
    "enable_per_process_and_thread_time_limit",
    "enable_per_process_and_thread_memory_limit",
    "max_file_size",
    "compile_output",
    "exit_code",
    "exit_signal",
    "message",
    "wall_time",
    "compiler_options",
    "command_line_arguments",
    "redirect_stderr_to_stdout",
    "callback_url",
    "additional_files",
    "enable_network",
    "status",
    "language",
];

/// What Judge0 shows when no `fields` are asked for.
pub const DEFAULT_FIELDS: [&str; 8] = [
    "token",
    "time",
    "memory",
    "stdout",
    "stderr",
    "compile_output",
    "message",
    "status",
];

/// The fields asked for by the `fields` parameter: a comma-separated list, `*` for all,
/// Judge0's default when absent or empty; an unknown name is a 400 naming it.
pub fn fields(param: Option<&str>) -> Result<Vec<&'static str>, ApiError> {
    let names: Vec<&str> = param
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(DEFAULT_FIELDS.to_vec());
    }
    if names.contains(&"*") {
        return Ok(ALL_FIELDS.to_vec());
    }
    let unknown: Vec<&str> = names.iter().copied().filter(|n| !ALL_FIELDS.contains(n)).collect();
    if !unknown.is_empty() {
        return Err(ApiError::BadRequest(format!(
            "invalid fields: [{}]",
            unknown.join(", ")
        )));
    }
    let mut chosen: Vec<&'static str> = Vec::new();
    for name in names {
        if let Some(field) = ALL_FIELDS.iter().find(|f| **f == name)
            && !chosen.contains(field)
        {
            chosen.push(field);
        }
    }
    Ok(chosen)
}

/// Judge0's `{"id", "description"}` of a status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusView {
    /// Judge0's status id (`GET /statuses`).
    pub id: u8,
    /// Its description.
    pub description: String,
}

/// Judge0's `{"id", "name"}` of a language.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LanguageView {
    /// Judge0's language id.
    pub id: u32,
    /// `Python (3.14.0)`.
    pub name: String,
}

/// A submission as Judge0 shows it, every attribute; an answer carries the `fields` asked
/// for (Judge0's eight by default), so none is required. Text fields are base64 with
/// `base64_encoded=true`; times are decimal strings in seconds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmissionView {
    #[schema(required = false)]
    pub source_code: String,
    #[schema(required = false)]
    pub language_id: u32,
    #[schema(required = false)]
    pub stdin: Option<String>,
    #[schema(required = false)]
    pub expected_output: Option<String>,
    #[schema(required = false)]
    pub stdout: Option<String>,
    #[schema(required = false)]
    pub status_id: u8,
    #[schema(required = false)]
    pub created_at: String,
    #[schema(required = false)]
    pub finished_at: Option<String>,
    #[schema(required = false)]
    pub time: Option<String>,
    /// KB the program used beyond its runtime's own start-up footprint (its peak): the
    /// quantity `memory_limit` bounds.
    #[schema(required = false)]
    pub memory: Option<u64>,
    #[schema(required = false)]
    pub stderr: Option<String>,
    #[schema(required = false)]
    pub token: String,
    #[schema(required = false)]
    pub number_of_runs: u64,
    #[schema(required = false)]
    pub cpu_time_limit: String,
    #[schema(required = false)]
    pub cpu_extra_time: String,
    #[schema(required = false)]
    pub wall_time_limit: String,
    #[schema(required = false)]
    pub memory_limit: u64,
    #[schema(required = false)]
    pub stack_limit: u64,
    #[schema(required = false)]
    pub max_processes_and_or_threads: u64,
    #[schema(required = false)]
    pub enable_per_process_and_thread_time_limit: bool,
    #[schema(required = false)]
    pub enable_per_process_and_thread_memory_limit: bool,
    #[schema(required = false)]
    pub max_file_size: u64,
    /// No compile step: always null.
    #[schema(required = false)]
    pub compile_output: Option<String>,
    #[schema(required = false)]
    pub exit_code: Option<i32>,
    #[schema(required = false)]
    pub exit_signal: Option<i32>,
    #[schema(required = false)]
    pub message: Option<String>,
    #[schema(required = false)]
    pub wall_time: Option<String>,
    /// Refused when set: always null.
    #[schema(required = false)]
    pub compiler_options: Option<String>,
    /// Refused when set: always null.
    #[schema(required = false)]
    pub command_line_arguments: Option<String>,
    #[schema(required = false)]
    pub redirect_stderr_to_stdout: bool,
    /// Refused when set: always null.
    #[schema(required = false)]
    pub callback_url: Option<String>,
    /// Refused when set: always null.
    #[schema(required = false)]
    pub additional_files: Option<String>,
    #[schema(required = false)]
    pub enable_network: bool,
    #[schema(required = false)]
    pub status: StatusView,
    #[schema(required = false)]
    pub language: LanguageView,
}

/// `record` as a JSON object of `fields`, in that order.
pub fn render(record: &Record, fields: &[&str], base64: bool) -> Value {
    let all = match serde_json::to_value(view(record, base64)) {
        Ok(Value::Object(all)) => all,
        _ => Map::new(),
    };
    let mut object = Map::new();
    for field in fields {
        object.insert((*field).to_owned(), all.get(*field).cloned().unwrap_or(Value::Null));
    }
    Value::Object(object)
}

/// Every attribute of `record`.
fn view(record: &Record, base64: bool) -> SubmissionView {
    let s = &record.submission;
    let limits = &s.limits;
    let outcome = match &record.progress {
        Progress::Finished(outcome) => Some(outcome.as_ref()),
        _ => None,
    };
    // Judge0 shows an empty output as null.
    let output = |text: Option<&str>| match text {
        Some(t) if !t.is_empty() => Some(encode(t.as_bytes(), base64)),
        _ => None,
    };
    let time = outcome.and_then(|o| o.time_ms).map(seconds);
    let status = record.status();
    SubmissionView {
        source_code: encode(s.source.as_bytes(), base64),
        language_id: s.language.id,
        stdin: s.stdin.as_deref().map(|b| encode(b, base64)),
        expected_output: s.expected_output.as_deref().map(|t| encode(t.as_bytes(), base64)),
        stdout: output(outcome.map(|o| o.stdout.as_str())),
        status_id: status.id,
        created_at: timestamp(record.created_at),
        finished_at: outcome.map(|o| timestamp(o.finished_at)),
        time: time.clone(),
        memory: outcome.and_then(|o| o.memory_kb),
        stderr: output(outcome.map(|o| o.stderr.as_str())),
        token: record.token.clone(),
        number_of_runs: limits.number_of_runs,
        cpu_time_limit: decimal(limits.cpu_time_limit),
        cpu_extra_time: decimal(limits.cpu_extra_time),
        wall_time_limit: decimal(limits.wall_time_limit),
        memory_limit: limits.memory_limit,
        stack_limit: limits.stack_limit,
        max_processes_and_or_threads: limits.max_processes_and_or_threads,
        enable_per_process_and_thread_time_limit: limits.enable_per_process_and_thread_time_limit,
        enable_per_process_and_thread_memory_limit: limits.enable_per_process_and_thread_memory_limit,
        max_file_size: limits.max_file_size,
        compile_output: None,
        exit_code: outcome.and_then(|o| o.exit_code),
        exit_signal: outcome.and_then(|o| o.exit_signal),
        message: output(outcome.and_then(|o| o.message.as_deref())),
        wall_time: time,
        compiler_options: None,
        command_line_arguments: None,
        redirect_stderr_to_stdout: false,
        callback_url: None,
        additional_files: None,
        enable_network: false,
        status: StatusView {
            id: status.id,
            description: status.description.to_owned(),
        },
        language: LanguageView {
            id: s.language.id,
            name: s.language.name(),
        },
    }
}

/// Text or bytes as a JSON string: base64 (standard, no line breaks) when asked, else as
/// text with invalid UTF-8 replaced.
fn encode(bytes: &[u8], base64: bool) -> String {
    if base64 {
        STANDARD.encode(bytes)
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// A decimal as Rails writes one: `5.0`, `0.5`, `0.037`.
/// A run's duration as Judge0 writes it: seconds to the millisecond, rounded up, so that a
/// run that took any time (a JavaScript program can take 0.3 ms) never reads as none.
fn seconds(ms: f64) -> String {
    decimal(ms.max(0.0).ceil() / 1000.0)
}

pub fn decimal(x: f64) -> String {
    let text = format!("{x}");
    if text.contains('.') { text } else { format!("{text}.0") }
}

/// `2024-01-02T03:04:05.678Z` (UTC, milliseconds), as Judge0 writes dates.
pub fn timestamp(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since.as_secs();
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn every_field_is_an_attribute_of_the_view_and_its_schema() {
        let document = crate::http::openapi::json([]);
        let properties = document["components"]["schemas"]["SubmissionView"]["properties"]
            .as_object()
            .expect("SubmissionView's properties");
        let mut documented: Vec<&str> = properties.keys().map(String::as_str).collect();
        let mut fields = ALL_FIELDS.to_vec();
        documented.sort_unstable();
        fields.sort_unstable();
        assert_eq!(documented, fields);
    }

    #[test]
    fn fields_default_star_and_unknown() {
        assert_eq!(fields(None).expect("default"), DEFAULT_FIELDS);
        assert_eq!(fields(Some("")).expect("default"), DEFAULT_FIELDS);
        assert_eq!(fields(Some("*")).expect("all").len(), ALL_FIELDS.len());
        assert_eq!(
            fields(Some("stdout, status,stdout")).expect("two"),
            ["stdout", "status"]
        );
        let error = fields(Some("stdout,nope,zip")).expect_err("unknown").to_string();
        assert_eq!(error, "invalid fields: [nope, zip]");
    }

    #[test]
    fn decimals_and_dates_are_written_as_judge0_writes_them() {
        assert_eq!(
            (decimal(5.0), decimal(0.5), decimal(0.037)),
            ("5.0".into(), "0.5".into(), "0.037".into())
        );
        assert_eq!(
            (seconds(0.3), seconds(12.0), seconds(12.2), seconds(0.0)),
            ("0.001".into(), "0.012".into(), "0.013".into(), "0.0".into())
        );
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_millis(1_709_210_096_789);
        assert_eq!(timestamp(leap), "2024-02-29T12:34:56.789Z");
        let end = UNIX_EPOCH + Duration::from_secs(951_868_799);
        assert_eq!(timestamp(end), "2000-02-29T23:59:59.000Z");
    }
}
