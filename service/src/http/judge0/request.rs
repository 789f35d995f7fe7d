//! A submission as a Judge0 client sends it: [`SubmissionRequest`] (serde derives; numbers
//! may come as strings and flags as `"true"`, as Rails accepts them), then
//! [`SubmissionRequest::validate`]: base64 fields decoded, limits in range, the source-size
//! rule, each refusal a 422 naming the field (as Judge0 answers).

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;
use serde_json::Value;

use super::model::{self, Bound, Judge0Language};
use crate::http::admission::source_fits;
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

/// A JSON value as a Judge0 client may send it in any field: what each field accepts is
/// decided by [`SubmissionRequest::validate`], which names the field in its refusal.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Loose {
    /// `true` or `false`.
    Bool(bool),
    /// A JSON number.
    Number(f64),
    /// A string (a number or a flag may come as one).
    Text(String),
    /// Anything else (a list, an object).
    Other(Value),
}

/// The body of `POST /submissions` (and each item of a batch), as sent: every field
/// optional here (absent and `null` alike), unknown fields ignored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct SubmissionRequest {
    /// 71 Python, 72 Ruby, 63 JavaScript (`GET /languages`); required.
    #[schema(value_type = LanguageId, required = true, example = 71)]
    pub language_id: Option<Loose>,
    /// The program (base64 with `base64_encoded=true`), at most 64 KiB; required.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 65536, example = "print(input())")]
    pub source_code: Option<Loose>,
    /// Standard input.
    #[schema(value_type = Option<String>, example = "hi")]
    pub stdin: Option<Loose>,
    /// The output the program should print: 4 Wrong Answer when it prints another.
    #[schema(value_type = Option<String>)]
    pub expected_output: Option<Loose>,
    /// Seconds, 0–15 (default 5); 0 is no CPU limit.
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 15)]
    pub cpu_time_limit: Option<Loose>,
    /// Seconds, 0–5 (default 1); checked, not used.
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 5)]
    pub cpu_extra_time: Option<Loose>,
    /// Seconds, 0–20 (default 10); 0 is no wall limit.
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 20)]
    pub wall_time_limit: Option<Loose>,
    /// KB beyond the runtime's footprint, 2048–512000 (default 128000).
    #[schema(value_type = Option<u32>, minimum = 2048, maximum = 512000)]
    pub memory_limit: Option<Loose>,
    /// KB; checked, not used.
    #[schema(value_type = Option<u32>, minimum = 0, maximum = 128000)]
    pub stack_limit: Option<Loose>,
    /// Checked, not used.
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 120)]
    pub max_processes_and_or_threads: Option<Loose>,
    /// Checked, not used.
    #[schema(value_type = Option<bool>)]
    pub enable_per_process_and_thread_time_limit: Option<Loose>,
    /// Checked, not used.
    #[schema(value_type = Option<bool>)]
    pub enable_per_process_and_thread_memory_limit: Option<Loose>,
    /// KB; checked, not used.
    #[schema(value_type = Option<u32>, minimum = 0, maximum = 4096)]
    pub max_file_size: Option<Loose>,
    /// Checked, not used (one run).
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 20)]
    pub number_of_runs: Option<Loose>,
    /// Refused unless blank.
    #[schema(value_type = Option<String>, max_length = 0)]
    pub compiler_options: Option<Loose>,
    /// Refused unless blank.
    #[schema(value_type = Option<String>, max_length = 0)]
    pub command_line_arguments: Option<Loose>,
    /// Refused unless blank.
    #[schema(value_type = Option<String>, max_length = 0)]
    pub callback_url: Option<Loose>,
    /// Refused unless blank.
    #[schema(value_type = Option<String>, max_length = 0)]
    pub additional_files: Option<Loose>,
    /// Refused when true.
    #[schema(value_type = Option<bool>)]
    pub enable_network: Option<Loose>,
    /// Refused when true.
    #[schema(value_type = Option<bool>)]
    pub redirect_stderr_to_stdout: Option<Loose>,
}

/// The schema of `language_id`: one of [`model::LANGUAGES`]' ids.
#[derive(Debug)]
pub struct LanguageId;

impl utoipa::PartialSchema for LanguageId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .enum_values(Some(model::LANGUAGES.iter().map(|l| l.id)))
            .into()
    }
}

impl utoipa::ToSchema for LanguageId {}

/// The body of `POST /submissions/batch` (read as a JSON value, each item by [`parse`]).
#[derive(Debug, Clone, utoipa::ToSchema)]
pub struct BatchRequest {
    /// 1 to 20 submissions; each is checked on its own.
    pub submissions: Vec<SubmissionRequest>,
}

/// The submission in `value`, its text fields base64 when `base64` is set; or why not
/// (400 when it is not a JSON object, else 422 or 413 naming the field).
pub fn parse(value: &Value, base64: bool) -> Result<NewSubmission, ApiError> {
    if !value.is_object() {
        return Err(ApiError::BadRequest("a submission must be a JSON object".into()));
    }
    // Every field is a `Loose`, so an object always deserializes; kept as an error anyway.
    let request = SubmissionRequest::deserialize(value)
        .map_err(|e| ApiError::BadRequest(format!("the submission is not valid: {e}")))?;
    request.validate(base64)
}

/// The submission in the JSON text `bytes` ([`parse`]); 400 when it is not JSON.
pub fn parse_slice(bytes: &[u8], base64: bool) -> Result<NewSubmission, ApiError> {
    let value: Value = crate::http::body::parse_json(None, bytes)?;
    parse(&value, base64)
}

impl SubmissionRequest {
    /// The submission decoded and checked, defaults filled in; or the first thing wrong.
    pub fn validate(&self, base64: bool) -> Result<NewSubmission, ApiError> {
        let language_id = integer(&self.language_id, "language_id")?
            .ok_or_else(|| ApiError::Unprocessable("language_id is missing".into()))?;
        let language = Judge0Language::by_id(language_id)
            .ok_or_else(|| ApiError::Unprocessable(format!("language with id {language_id} doesn't exist")))?;
        let source = text(&self.source_code, "source_code", base64)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::Unprocessable("source_code is missing or empty".into()))?;
        let source =
            String::from_utf8(source).map_err(|_| ApiError::Unprocessable("source_code is not valid UTF-8".into()))?;
        source_fits("source_code", &source)?;
        let stdin = text(&self.stdin, "stdin", base64)?;
        let expected_output =
            text(&self.expected_output, "expected_output", base64)?.map(|b| String::from_utf8_lossy(&b).into_owned());
        for (field, what) in [
            (&self.compiler_options, "setting compiler options is not allowed"),
            (
                &self.command_line_arguments,
                "setting command line arguments is not allowed",
            ),
            (&self.callback_url, "setting callback is not allowed"),
            (&self.additional_files, "setting additional files is not allowed"),
        ] {
            if !blank(field) {
                return Err(ApiError::Unprocessable(what.into()));
            }
        }
        if flag(&self.enable_network, "enable_network")? == Some(true) {
            return Err(ApiError::Unprocessable("enabling network is not allowed".into()));
        }
        if flag(&self.redirect_stderr_to_stdout, "redirect_stderr_to_stdout")? == Some(true) {
            return Err(ApiError::Unprocessable(
                "redirect_stderr_to_stdout is not supported by this server".into(),
            ));
        }
        let limits = Limits {
            cpu_time_limit: seconds(&self.cpu_time_limit, "cpu_time_limit", model::CPU_TIME_LIMIT)?,
            cpu_extra_time: seconds(&self.cpu_extra_time, "cpu_extra_time", model::CPU_EXTRA_TIME)?,
            wall_time_limit: seconds(&self.wall_time_limit, "wall_time_limit", model::WALL_TIME_LIMIT)?,
            memory_limit: count(&self.memory_limit, "memory_limit", model::MEMORY_LIMIT)?,
            stack_limit: count(&self.stack_limit, "stack_limit", model::STACK_LIMIT)?,
            max_processes_and_or_threads: count(
                &self.max_processes_and_or_threads,
                "max_processes_and_or_threads",
                model::MAX_PROCESSES,
            )?,
            enable_per_process_and_thread_time_limit: flag(
                &self.enable_per_process_and_thread_time_limit,
                "enable_per_process_and_thread_time_limit",
            )?
            .unwrap_or(false),
            enable_per_process_and_thread_memory_limit: flag(
                &self.enable_per_process_and_thread_memory_limit,
                "enable_per_process_and_thread_memory_limit",
            )?
            .unwrap_or(false),
            max_file_size: count(&self.max_file_size, "max_file_size", model::MAX_FILE_SIZE)?,
            number_of_runs: count(&self.number_of_runs, "number_of_runs", model::NUMBER_OF_RUNS)?,
        };
        Ok(NewSubmission {
            language,
            source,
            stdin,
            expected_output,
            limits,
        })
    }
}

/// A text field's bytes (base64-decoded when asked), `None` when absent or null.
fn text(field: &Option<Loose>, name: &str, base64: bool) -> Result<Option<Vec<u8>>, ApiError> {
    match field {
        None => Ok(None),
        Some(Loose::Text(s)) if base64 => {
            // Ruby's encoder puts a newline every 60 characters; clients send that too.
            let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            LENIENT
                .decode(compact)
                .map(Some)
                .map_err(|e| ApiError::Unprocessable(format!("{name} is not valid base64 ({e})")))
        }
        Some(Loose::Text(s)) => Ok(Some(s.clone().into_bytes())),
        Some(_) => Err(ApiError::Unprocessable(format!("{name} must be a string"))),
    }
}

/// Whether a field is absent, null, false or an empty string (Rails' `blank?`).
fn blank(field: &Option<Loose>) -> bool {
    match field {
        None | Some(Loose::Bool(false)) => true,
        Some(Loose::Text(s)) => s.trim().is_empty(),
        Some(Loose::Other(Value::Array(a))) => a.is_empty(),
        Some(Loose::Other(Value::Object(o))) => o.is_empty(),
        Some(Loose::Other(Value::Null)) => true,
        Some(_) => false,
    }
}

/// A number field (a JSON number, or a string holding one), `None` when absent or null.
fn number(field: &Option<Loose>, name: &str) -> Result<Option<f64>, ApiError> {
    let parsed = match field {
        None => return Ok(None),
        Some(Loose::Number(n)) => Some(*n),
        Some(Loose::Text(s)) if s.trim().is_empty() => return Ok(None),
        Some(Loose::Text(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match parsed {
        Some(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(ApiError::Unprocessable(format!("{name} is not a number"))),
    }
}

/// A whole-number field.
fn integer(field: &Option<Loose>, name: &str) -> Result<Option<u64>, ApiError> {
    match number(field, name)? {
        None => Ok(None),
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => Ok(Some(n as u64)),
        Some(n) => Err(ApiError::Unprocessable(format!(
            "{name} must be a whole number, not {n}"
        ))),
    }
}

/// A number of seconds within `bound`, or its default.
fn seconds(field: &Option<Loose>, name: &str, bound: Bound<f64>) -> Result<f64, ApiError> {
    match number(field, name)? {
        None => Ok(bound.default),
        Some(n) if (bound.min..=bound.max).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::Unprocessable(format!(
            "{name} must be between {} and {}, not {n}",
            bound.min, bound.max
        ))),
    }
}

/// A count (or KB) within `bound`, or its default; a fraction is cut, as Rails casts it.
fn count(field: &Option<Loose>, name: &str, bound: Bound<u64>) -> Result<u64, ApiError> {
    match number(field, name)? {
        None => Ok(bound.default),
        Some(n) if (bound.min as f64..=bound.max as f64).contains(&n.trunc()) => Ok(n.trunc() as u64),
        Some(n) => Err(ApiError::Unprocessable(format!(
            "{name} must be between {} and {}, not {n}",
            bound.min, bound.max
        ))),
    }
}

/// A boolean field (`true`/`false`, or those words as strings), `None` when absent or null.
fn flag(field: &Option<Loose>, name: &str) -> Result<Option<bool>, ApiError> {
    match field {
        None => Ok(None),
        Some(Loose::Bool(b)) => Ok(Some(*b)),
        Some(Loose::Text(s)) if s == "true" => Ok(Some(true)),
        Some(Loose::Text(s)) if s == "false" || s.is_empty() => Ok(Some(false)),
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
    fn the_documented_bounds_are_the_ones_checked() {
        let document = crate::http::openapi::json([]);
        let fields = &document["components"]["schemas"]["SubmissionRequest"]["properties"];
        let f64s = [
            ("cpu_time_limit", model::CPU_TIME_LIMIT),
            ("cpu_extra_time", model::CPU_EXTRA_TIME),
            ("wall_time_limit", model::WALL_TIME_LIMIT),
        ];
        for (name, bound) in f64s {
            let documented = (fields[name]["minimum"].as_f64(), fields[name]["maximum"].as_f64());
            assert_eq!(documented, (Some(bound.min), Some(bound.max)), "{name}");
        }
        let counts = [
            ("memory_limit", model::MEMORY_LIMIT),
            ("stack_limit", model::STACK_LIMIT),
            ("max_processes_and_or_threads", model::MAX_PROCESSES),
            ("max_file_size", model::MAX_FILE_SIZE),
            ("number_of_runs", model::NUMBER_OF_RUNS),
        ];
        for (name, bound) in counts {
            let documented = (fields[name]["minimum"].as_u64(), fields[name]["maximum"].as_u64());
            assert_eq!(documented, (Some(bound.min), Some(bound.max)), "{name}");
        }
        let ids = &document["components"]["schemas"]["LanguageId"]["enum"];
        assert_eq!(ids, &json!([63, 71, 72]));
    }

    #[test]
    fn a_submission_parses_from_bytes_as_from_a_value() {
        let s = parse_slice(
            br#"{"language_id": "63", "source_code": "1", "enable_network": "false"}"#,
            false,
        )
        .expect("valid");
        assert_eq!(s.language.id, 63);
        assert!(matches!(parse_slice(b"{", false), Err(ApiError::BadRequest(_))));
        assert!(matches!(parse_slice(b"[]", false), Err(ApiError::BadRequest(_))));
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
