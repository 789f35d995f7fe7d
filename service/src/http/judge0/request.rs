//! A submission as a Judge0 client sends it: checked field by field (numbers may come as
//! strings, as Rails accepts them), base64 fields decoded, limits in range.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use polyrun_core::limits::SOURCE_CAP_BYTES;
use serde_json::{Map, Value};

use super::model::{self, Bound, Judge0Language};
use crate::http::error::ApiError;

/// Standard base64, padded or not (clients differ), as the request fields are decoded.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A valid submission, decoded.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    /// The language.
    pub language: &'static Judge0Language,
    /// The program.
    pub source: String,
    /// Standard input, if given.
    pub stdin: Option<Vec<u8>>,
    /// The output it should print, if given.
    pub expected_output: Option<String>,
    /// The limits and options, defaults filled in.
    pub limits: Limits,
}

/// Judge0's limits and options of a submission, defaults filled in.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Seconds.
    pub cpu_time_limit: f64,
    /// Seconds.
    pub cpu_extra_time: f64,
    /// Seconds.
    pub wall_time_limit: f64,
    /// KB.
    pub memory_limit: u64,
    /// KB.
    pub stack_limit: u64,
    /// Count.
    pub max_processes_and_or_threads: u64,
    /// Flag.
    pub enable_per_process_and_thread_time_limit: bool,
    /// Flag.
    pub enable_per_process_and_thread_memory_limit: bool,
    /// KB.
    pub max_file_size: u64,
    /// Count.
    pub number_of_runs: u64,
}

impl Limits {
    /// polyrun's one time limit, on the wall clock: the smaller of `cpu_time_limit` and
    /// `wall_time_limit` (0 meaning none, as in Judge0's sandbox), or the most allowed.
    pub fn time_limit_ms(&self) -> u64 {
        let seconds = [self.cpu_time_limit, self.wall_time_limit]
            .into_iter()
            .filter(|s| *s > 0.0)
            .fold(model::WALL_TIME_LIMIT.max, f64::min);
        ((seconds * 1000.0).ceil() as u64).max(1)
    }

    /// `memory_limit` in MiB (rounded up), as polyrun's limit beyond the runtime's footprint.
    pub fn memory_limit_mb(&self) -> u64 {
        self.memory_limit.div_ceil(1024).max(1)
    }
}

/// The submission in `value`, its text fields base64 when `base64` is set; or why not.
pub fn parse(value: &Value, base64: bool) -> Result<NewSubmission, ApiError> {
    let Some(fields) = value.as_object() else {
        return Err(ApiError::BadRequest("a submission must be a JSON object".into()));
    };
    let language_id =
        integer(fields, "language_id")?.ok_or_else(|| ApiError::Unprocessable("language_id is missing".into()))?;
    let language = Judge0Language::by_id(language_id)
        .ok_or_else(|| ApiError::Unprocessable(format!("language with id {language_id} doesn't exist")))?;
    let source = text(fields, "source_code", base64)?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::Unprocessable("source_code is missing or empty".into()))?;
    let source =
        String::from_utf8(source).map_err(|_| ApiError::Unprocessable("source_code is not valid UTF-8".into()))?;
    if source.len() > SOURCE_CAP_BYTES {
        return Err(ApiError::TooLarge(format!(
            "source_code has {} bytes; at most {} KiB are accepted",
            source.len(),
            SOURCE_CAP_BYTES / 1024
        )));
    }
    let stdin = text(fields, "stdin", base64)?;
    let expected_output = text(fields, "expected_output", base64)?.map(|b| String::from_utf8_lossy(&b).into_owned());
    for (field, what) in [
        ("compiler_options", "setting compiler options is not allowed"),
        (
            "command_line_arguments",
            "setting command line arguments is not allowed",
        ),
        ("callback_url", "setting callback is not allowed"),
        ("additional_files", "setting additional files is not allowed"),
    ] {
        if !blank(fields.get(field)) {
            return Err(ApiError::Unprocessable(what.into()));
        }
    }
    if flag(fields, "enable_network")? == Some(true) {
        return Err(ApiError::Unprocessable("enabling network is not allowed".into()));
    }
    if flag(fields, "redirect_stderr_to_stdout")? == Some(true) {
        return Err(ApiError::Unprocessable(
            "redirect_stderr_to_stdout is not supported by this server".into(),
        ));
    }
    let limits = Limits {
        cpu_time_limit: seconds(fields, "cpu_time_limit", model::CPU_TIME_LIMIT)?,
        cpu_extra_time: seconds(fields, "cpu_extra_time", model::CPU_EXTRA_TIME)?,
        wall_time_limit: seconds(fields, "wall_time_limit", model::WALL_TIME_LIMIT)?,
        memory_limit: count(fields, "memory_limit", model::MEMORY_LIMIT)?,
        stack_limit: count(fields, "stack_limit", model::STACK_LIMIT)?,
        max_processes_and_or_threads: count(fields, "max_processes_and_or_threads", model::MAX_PROCESSES)?,
        enable_per_process_and_thread_time_limit: flag(fields, "enable_per_process_and_thread_time_limit")?
            .unwrap_or(false),
        enable_per_process_and_thread_memory_limit: flag(fields, "enable_per_process_and_thread_memory_limit")?
            .unwrap_or(false),
        max_file_size: count(fields, "max_file_size", model::MAX_FILE_SIZE)?,
        number_of_runs: count(fields, "number_of_runs", model::NUMBER_OF_RUNS)?,
    };
    Ok(NewSubmission {
        language,
        source,
        stdin,
        expected_output,
        limits,
    })
}

/// A text field's bytes (base64-decoded when asked), `None` when absent or null.
fn text(fields: &Map<String, Value>, name: &str, base64: bool) -> Result<Option<Vec<u8>>, ApiError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if base64 => {
            // Ruby's encoder puts a newline every 60 characters; clients send that too.
            let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            LENIENT
                .decode(compact)
                .map(Some)
                .map_err(|e| ApiError::Unprocessable(format!("{name} is not valid base64 ({e})")))
        }
        Some(Value::String(s)) => Ok(Some(s.clone().into_bytes())),
        Some(_) => Err(ApiError::Unprocessable(format!("{name} must be a string"))),
    }
}

/// Whether a field is absent, null, false or an empty string (Rails' `blank?`).
fn blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(_) => false,
    }
}

/// A number field (a JSON number, or a string holding one), `None` when absent or null.
fn number(fields: &Map<String, Value>, name: &str) -> Result<Option<f64>, ApiError> {
    let parsed = match fields.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match parsed {
        Some(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(ApiError::Unprocessable(format!("{name} is not a number"))),
    }
}

/// A whole-number field.
fn integer(fields: &Map<String, Value>, name: &str) -> Result<Option<u64>, ApiError> {
    match number(fields, name)? {
        None => Ok(None),
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => Ok(Some(n as u64)),
        Some(n) => Err(ApiError::Unprocessable(format!(
            "{name} must be a whole number, not {n}"
        ))),
    }
}

/// A number of seconds within `bound`, or its default.
fn seconds(fields: &Map<String, Value>, name: &str, bound: Bound<f64>) -> Result<f64, ApiError> {
    match number(fields, name)? {
        None => Ok(bound.default),
        Some(n) if (bound.min..=bound.max).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::Unprocessable(format!(
            "{name} must be between {} and {}, not {n}",
            bound.min, bound.max
        ))),
    }
}

/// A count (or KB) within `bound`, or its default; a fraction is cut, as Rails casts it.
fn count(fields: &Map<String, Value>, name: &str, bound: Bound<u64>) -> Result<u64, ApiError> {
    match number(fields, name)? {
        None => Ok(bound.default),
        Some(n) if (bound.min as f64..=bound.max as f64).contains(&n.trunc()) => Ok(n.trunc() as u64),
        Some(n) => Err(ApiError::Unprocessable(format!(
            "{name} must be between {} and {}, not {n}",
            bound.min, bound.max
        ))),
    }
}

/// A boolean field (`true`/`false`, or those words as strings), `None` when absent or null.
fn flag(fields: &Map<String, Value>, name: &str) -> Result<Option<bool>, ApiError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" || s.is_empty() => Ok(Some(false)),
        Some(_) => Err(ApiError::Unprocessable(format!("{name} must be true or false"))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn error(value: Value, base64: bool) -> String {
        parse(&value, base64).expect_err("an error").to_string()
    }

    #[test]
    fn defaults_fill_in_and_numbers_may_be_strings() {
        let s = parse(&json!({"language_id": "71", "source_code": "print(1)"}), false).expect("valid");
        assert_eq!(s.language.id, 71);
        assert_eq!((s.stdin, s.expected_output), (None, None));
        assert_eq!(s.limits.time_limit_ms(), 5_000, "cpu 5 s is below wall 10 s");
        assert_eq!(s.limits.memory_limit_mb(), 125);
        let s = parse(
            &json!({"language_id": 63, "source_code": "1", "wall_time_limit": "0.5", "memory_limit": 64000.7}),
            false,
        )
        .expect("valid");
        assert_eq!((s.limits.time_limit_ms(), s.limits.memory_limit), (500, 64_000));
        let s = parse(
            &json!({"language_id": 72, "source_code": "1", "cpu_time_limit": 0}),
            false,
        )
        .expect("valid");
        assert_eq!(s.limits.time_limit_ms(), 10_000, "0 is no CPU limit: the wall limit");
    }

    #[test]
    fn base64_fields_are_decoded_with_or_without_padding_and_line_breaks() {
        let s = parse(
            &json!({"language_id": 71, "source_code": "cHJp\nbnQoMSk=", "stdin": "aMOp", "expected_output": "MQ"}),
            true,
        )
        .expect("valid");
        assert_eq!(s.source, "print(1)");
        assert_eq!(s.stdin.as_deref(), Some("hé".as_bytes()));
        assert_eq!(s.expected_output.as_deref(), Some("1"));
        assert!(error(json!({"language_id": 71, "source_code": "%%%"}), true).contains("base64"));
    }

    #[test]
    fn bad_submissions_say_what_is_wrong() {
        assert!(error(json!({"language_id": 999, "source_code": "1"}), false).contains("999"));
        assert!(error(json!({"language_id": 71}), false).contains("source_code"));
        assert!(error(json!({"language_id": 71, "source_code": ""}), false).contains("source_code"));
        assert!(error(json!({"source_code": "1"}), false).contains("language_id"));
        assert!(error(json!({"language_id": 71.5, "source_code": "1"}), false).contains("language_id"));
        assert!(error(json!({"language_id": 71, "source_code": 5}), false).contains("string"));
        let over = json!({"language_id": 71, "source_code": "1", "cpu_time_limit": 16});
        assert!(error(over, false).contains("cpu_time_limit"));
        let under = json!({"language_id": 71, "source_code": "1", "memory_limit": 100});
        assert!(error(under, false).contains("memory_limit"));
        let nan = json!({"language_id": 71, "source_code": "1", "wall_time_limit": "NaN"});
        assert!(error(nan, false).contains("not a number"));
        let network = json!({"language_id": 71, "source_code": "1", "enable_network": true});
        assert!(error(network, false).contains("network"));
        let args = json!({"language_id": 71, "source_code": "1", "command_line_arguments": "-x"});
        assert!(error(args, false).contains("command line"));
        assert!(error(json!([1]), false).contains("object"));
    }
}
