//! The line protocol between a language harness and its host (the grader or the browser
//! worker): what the harness is given on stdin, and the records it writes on stdout.
//!
//! The harness reads a [`HarnessInput`] from stdin as lines of JSON: first its header (the
//! source, the entry point and how many tests follow), then one line per test, and writes
//! records, each as `0x1E`, a JSON object, `\n`, on its real stdout. The grader withholds
//! each test's line until the harness is ready for it (the source loaded, the test before
//! answered), so that no code runs with a test's arguments before that test's clock starts;
//! the browser hands over every line at once. Anything else that reaches the real
//! stdout or stderr (a raw `os.write(1, …)`, an interpreter's crash message) is "stray"
//! output, which the host attributes to the test in flight. A record is no more trusted
//! than the user's code: it can only claim what the function could have returned anyway,
//! because **expected values never enter the sandbox** and the host does the comparing.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::report::ErrorInfo;

/// The byte that opens a record.
pub const RECORD_START: u8 = 0x1e;

/// The longest record accepted; a longer one is dropped, and a visible note
/// ([`RECORD_CUT_NOTE`]) stands in its place as stray output. It bounds what one parsed
/// record costs the host (a JSON value takes several times its text in memory).
pub const MAX_RECORD_BYTES: usize = 2 * 1024 * 1024;

/// What stands in the output where a record over [`MAX_RECORD_BYTES`] was dropped.
pub const RECORD_CUT_NOTE: &[u8] = b"\n[polyrun: a result record of over 2 MiB was dropped]\n";

/// A JSON value kept as the text it arrived in, parsed only when it is judged: a session
/// may carry several large results, and a parsed value takes many times its text in memory
/// (72 bytes per `Value`). The text is checked to be well-formed JSON when it is read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// The JSON text of `value`.
    pub fn from_value(value: &Value) -> Self {
        RawJson(serde_json::value::to_raw_value(value).unwrap_or_else(|_| Self::null()))
    }

    fn null() -> Box<RawValue> {
        RawValue::from_string("null".into()).unwrap_or_else(|_| unreachable!("null is JSON"))
    }

    /// The value, or why it cannot be read (nested past the parser's 128 levels, say).
    pub fn parse(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// The JSON text.
    pub fn text(&self) -> &str {
        self.0.get()
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

/// What the harness reads from stdin, as lines ([`HarnessInput::header_line`], then
/// [`HarnessInput::test_lines`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarnessInput {
    /// The entry point's name in the language's convention (`twoSum` in JavaScript).
    pub function: String,
    /// The user's source.
    pub source: String,
    /// The tests to run, in order.
    pub tests: Vec<HarnessTest>,
    /// How much of each test's stdout and stderr the harness keeps (it counts the rest).
    pub output_cap: usize,
    /// Memory the code may use beyond the runtime's footprint. The harness ignores it: the
    /// host enforces it (the grader's limiter; the browser worker checks it as output comes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit_mb: Option<u64>,
}

/// The first line of a harness's input: everything but the tests' arguments.
#[derive(Serialize)]
struct Header<'a> {
    function: &'a str,
    source: &'a str,
    /// How many test lines follow.
    tests: usize,
    output_cap: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    memory_limit_mb: Option<u64>,
}

impl HarnessInput {
    /// The header line, `\n` included: the source and entry point, and how many tests follow.
    pub fn header_line(&self) -> String {
        let header = Header {
            function: &self.function,
            source: &self.source,
            tests: self.tests.len(),
            output_cap: self.output_cap,
            memory_limit_mb: self.memory_limit_mb,
        };
        line(&header)
    }

    /// The line of each test, in order, `\n` included (JSON text never holds a raw newline).
    pub fn test_lines(&self) -> Vec<String> {
        self.tests.iter().map(line).collect()
    }

    /// The whole input at once: the header, then every test's line.
    pub fn wire(&self) -> String {
        let mut text = self.header_line();
        for test in self.test_lines() {
            text.push_str(&test);
        }
        text
    }
}

/// `value` as one line of JSON.
fn line(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    text.push('\n');
    text
}

/// One test to run: the index it reports under and its arguments as JSON text, parsed
/// afresh for the call so that each test gets fresh values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarnessTest {
    /// Index in the problem's test list.
    pub index: usize,
    /// The arguments, a JSON array, as text.
    pub args: String,
}

/// A record the harness writes. Read through [`WireRecord`] (one flat struct) rather than
/// serde's internally tagged path, which buffers the whole record in a generic tree first:
/// for a large returned value that cost several times the memory and time of the value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", try_from = "WireRecord")]
pub enum Record {
    /// The source ran and defines the entry point.
    Loaded,
    /// The source does not parse or does not define the entry point.
    CompileError {
        /// What is wrong.
        error: ErrorInfo,
    },
    /// The source raised while it was loaded.
    LoadError {
        /// The error.
        error: ErrorInfo,
    },
    /// The call for a test is about to start.
    Start {
        /// The test's index.
        index: usize,
    },
    /// The call for a test ended.
    Result {
        /// The test's index.
        index: usize,
        /// The returned value, in JSON form (absent when `error` is set).
        #[serde(default)]
        value: Option<RawJson>,
        /// The error raised, or the reason the value has no JSON form.
        #[serde(default)]
        error: Option<ErrorInfo>,
        /// What the call printed on stdout (up to the cap).
        #[serde(default)]
        stdout: String,
        /// What the call printed on stderr (up to the cap).
        #[serde(default)]
        stderr: String,
        /// Bytes of stdout past the cap.
        #[serde(default)]
        stdout_dropped: u64,
        /// Bytes of stderr past the cap.
        #[serde(default)]
        stderr_dropped: u64,
        /// Time of the call, in milliseconds.
        #[serde(default)]
        time_ms: f64,
    },
    /// Every test ran.
    Done,
}

impl Record {
    /// A call for test `index` that returned `value` (JSON) in `time_ms`, printing
    /// nothing, as a harness reports it.
    pub fn returned(index: usize, value: &Value, time_ms: f64) -> Record {
        Record::Result {
            index,
            value: Some(RawJson::from_value(value)),
            error: None,
            stdout: String::new(),
            stderr: String::new(),
            stdout_dropped: 0,
            stderr_dropped: 0,
            time_ms,
        }
    }
}

/// The kinds of record.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Event {
    Loaded,
    CompileError,
    LoadError,
    Start,
    Result,
    Done,
}

/// A record as it stands on the wire: every field of every kind, checked on conversion.
#[derive(Deserialize)]
struct WireRecord {
    event: Event,
    #[serde(default)]
    index: Option<usize>,
    #[serde(default)]
    value: Option<RawJson>,
    #[serde(default)]
    error: Option<ErrorInfo>,
    #[serde(default)]
    stdout: String,
    #[serde(default)]
    stderr: String,
    #[serde(default)]
    stdout_dropped: u64,
    #[serde(default)]
    stderr_dropped: u64,
    #[serde(default)]
    time_ms: f64,
}

impl TryFrom<WireRecord> for Record {
    type Error = &'static str;

    fn try_from(w: WireRecord) -> Result<Self, Self::Error> {
        let error = || w.error.clone().ok_or("this record needs an error");
        Ok(match w.event {
            Event::Loaded => Record::Loaded,
            Event::Done => Record::Done,
            Event::CompileError => Record::CompileError { error: error()? },
            Event::LoadError => Record::LoadError { error: error()? },
            Event::Start => Record::Start {
                index: w.index.ok_or("a start record needs an index")?,
            },
            Event::Result => Record::Result {
                index: w.index.ok_or("a result record needs an index")?,
                value: w.value,
                error: w.error,
                stdout: w.stdout,
                stderr: w.stderr,
                stdout_dropped: w.stdout_dropped,
                stderr_dropped: w.stderr_dropped,
                time_ms: w.time_ms,
            },
        })
    }
}

/// One thing read from a harness's output.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A record.
    Record(Record),
    /// Bytes outside any record, on fd 1 or 2.
    Stray {
        /// 1 for stdout, 2 for stderr.
        fd: u8,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// A record that could not be read (over [`MAX_RECORD_BYTES`], or not a record's JSON):
    /// for the test in flight it stands for a result that says why, so that a value the
    /// host cannot take is a clear error rather than a session that seems to stop. A later
    /// result for the same test replaces it, as any result does.
    Unreadable {
        /// Why, in words for the learner.
        reason: String,
    },
}

/// Splits a harness's stdout into records and stray bytes as it arrives.
#[derive(Debug, Default)]
pub struct StreamParser {
    /// Bytes of a record whose end has not arrived.
    pending: Vec<u8>,
    /// Whether `pending` holds a record (after `RECORD_START`).
    in_record: bool,
    /// Whether the record being read outgrew [`MAX_RECORD_BYTES`] and is being skipped.
    skipping: bool,
}

impl StreamParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds stdout bytes, appending what they complete to `out`.
    pub fn push(&mut self, mut bytes: &[u8], out: &mut Vec<Item>) {
        while !bytes.is_empty() {
            if self.in_record {
                match bytes.iter().position(|&b| b == b'\n') {
                    Some(end) => {
                        if !self.skipping && self.pending.len() + end > MAX_RECORD_BYTES {
                            // Too long, whether it came in pieces or in one write.
                            out.push(Item::Stray {
                                fd: 1,
                                bytes: RECORD_CUT_NOTE.to_vec(),
                            });
                            out.push(too_long());
                        } else if !self.skipping {
                            self.pending.extend_from_slice(&bytes[..end]);
                            let line = std::mem::take(&mut self.pending);
                            match read_record(&line) {
                                Ok(record) => out.push(Item::Record(record)),
                                Err(e) => {
                                    let mut stray = vec![RECORD_START];
                                    stray.extend_from_slice(&line);
                                    stray.push(b'\n');
                                    out.push(Item::Stray { fd: 1, bytes: stray });
                                    // Only what reads as a result record says so: any other
                                    // line is output (and a flood of them costs no items).
                                    if looks_like_result(&line) {
                                        out.push(Item::Unreadable {
                                            reason: format!("the test's result could not be read: {e}"),
                                        });
                                    }
                                }
                            }
                        }
                        self.in_record = false;
                        self.skipping = false;
                        self.pending.clear();
                        bytes = &bytes[end + 1..];
                    }
                    None => {
                        if !self.skipping {
                            if self.pending.len() + bytes.len() > MAX_RECORD_BYTES {
                                self.skipping = true;
                                self.pending = Vec::new();
                                out.push(Item::Stray {
                                    fd: 1,
                                    bytes: RECORD_CUT_NOTE.to_vec(),
                                });
                                out.push(too_long());
                            } else {
                                self.pending.extend_from_slice(bytes);
                            }
                        }
                        bytes = &[];
                    }
                }
            } else {
                match bytes.iter().position(|&b| b == RECORD_START) {
                    Some(start) => {
                        if start > 0 {
                            out.push(Item::Stray {
                                fd: 1,
                                bytes: bytes[..start].to_vec(),
                            });
                        }
                        self.in_record = true;
                        bytes = &bytes[start + 1..];
                    }
                    None => {
                        out.push(Item::Stray {
                            fd: 1,
                            bytes: bytes.to_vec(),
                        });
                        bytes = &[];
                    }
                }
            }
        }
    }

    /// Ends the stream: a record cut short becomes stray output.
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        if self.in_record && !self.skipping && !self.pending.is_empty() {
            let mut stray = vec![RECORD_START];
            stray.append(&mut self.pending);
            out.push(Item::Stray { fd: 1, bytes: stray });
        }
        self.in_record = false;
        self.skipping = false;
        self.pending.clear();
    }
}

/// What stands for a record over [`MAX_RECORD_BYTES`].
fn too_long() -> Item {
    Item::Unreadable {
        reason: format!(
            "the test's result is over {} MiB of JSON (a returned value that large is not kept)",
            MAX_RECORD_BYTES >> 20
        ),
    }
}

/// Whether a line that did not parse began as a result record does (`{"event": "result"`,
/// with or without spaces, as every harness writes its records).
fn looks_like_result(line: &[u8]) -> bool {
    let head = &line[..line.len().min(32)];
    head.windows(8).any(|w| w == b"\"result\"") && head.starts_with(b"{\"event\"")
}

/// Reads one record. A string that holds half of a surrogate pair (a JavaScript string
/// sliced through an emoji; Python's `"\ud83d"`) is written by the harnesses as a lone
/// `\uD83D` escape, which is not JSON: such an escape reads as U+FFFD, as a lossy UTF-8
/// decoder reads a broken sequence.
fn read_record(line: &[u8]) -> Result<Record, serde_json::Error> {
    serde_json::from_slice::<Record>(line).or_else(|e| match replace_lone_surrogates(line) {
        Some(fixed) => serde_json::from_slice::<Record>(&fixed),
        None => Err(e),
    })
}

/// `line` with every `\u` escape (four hex digits) of an unpaired surrogate replaced by
/// `\uFFFD`, or `None` when it has none.
fn replace_lone_surrogates(line: &[u8]) -> Option<Vec<u8>> {
    fn escape_at(line: &[u8], at: usize) -> Option<u16> {
        let hex = line.get(at..at + 6)?;
        if hex[0] != b'\\' || hex[1] != b'u' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    }
    let mut out = Vec::with_capacity(line.len());
    let mut changed = false;
    let mut i = 0;
    while i < line.len() {
        if line[i] != b'\\' {
            out.push(line[i]);
            i += 1;
            continue;
        }
        match escape_at(line, i) {
            Some(0xD800..=0xDBFF) if matches!(escape_at(line, i + 6), Some(0xDC00..=0xDFFF)) => {
                out.extend_from_slice(&line[i..i + 12]);
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.extend_from_slice(b"\\uFFFD");
                changed = true;
                i += 6;
            }
            _ => {
                // Any other escape: copy it whole, so that `\\` never starts a new one.
                let end = (i + 2).min(line.len());
                out.extend_from_slice(&line[i..end]);
                i = end;
            }
        }
    }
    changed.then_some(out)
}

/// Appends stray bytes, merging with the previous item when it is stray on the same fd.
pub fn push_stray(out: &mut Vec<Item>, fd: u8, bytes: &[u8]) {
    if let Some(Item::Stray { fd: last, bytes: prev }) = out.last_mut()
        && *last == fd
    {
        prev.extend_from_slice(bytes);
        return;
    }
    out.push(Item::Stray {
        fd,
        bytes: bytes.to_vec(),
    });
}

/// Writes a record as the harnesses do (used by tests and by hosts that speak for one).
pub fn encode(record: &Record) -> Vec<u8> {
    let mut out = vec![RECORD_START];
    out.extend(serde_json::to_vec(record).unwrap_or_default());
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_is_a_header_line_then_a_line_per_test() {
        let input = HarnessInput {
            function: "f".into(),
            source: "def f(s):\n    return s\n".into(),
            tests: vec![
                HarnessTest {
                    index: 3,
                    args: r#"["a\nb"]"#.into(),
                },
                HarnessTest {
                    index: 5,
                    args: "[[1, 2]]".into(),
                },
            ],
            output_cap: 10,
            memory_limit_mb: Some(64),
        };
        let header: Value = serde_json::from_str(input.header_line().trim_end()).unwrap();
        assert_eq!(header["tests"], 2, "a count: the header carries no test's arguments");
        assert_eq!(header["source"], "def f(s):\n    return s\n");
        assert!(!input.header_line().contains("[1, 2]"));
        let wire = input.wire();
        let lines: Vec<&str> = wire.lines().collect();
        assert_eq!(lines.len(), 3, "{wire}");
        assert!(wire.ends_with('\n'));
        let second: HarnessTest = serde_json::from_str(lines[2]).unwrap();
        assert_eq!(second, input.tests[1]);
        let first: HarnessTest = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(first.args, "[\"a\\nb\"]");
        assert_eq!(input.test_lines().concat(), lines[1..].join("\n") + "\n");
    }

    fn merged(items: Vec<Item>) -> Vec<Item> {
        let mut out = Vec::new();
        for item in items {
            match item {
                Item::Stray { fd, bytes } => push_stray(&mut out, fd, &bytes),
                record => out.push(record),
            }
        }
        out
    }

    #[test]
    fn records_and_stray_bytes_split_across_chunks() {
        let mut stream = b"hello".to_vec();
        stream.extend(encode(&Record::Start { index: 3 }));
        stream.extend(b"raw\n");
        stream.extend(encode(&Record::Done));
        for chunk in [1, 2, 5, 64] {
            let mut parser = StreamParser::new();
            let mut out = Vec::new();
            for part in stream.chunks(chunk) {
                parser.push(part, &mut out);
            }
            parser.finish(&mut out);
            let out = merged(out);
            assert_eq!(
                out,
                vec![
                    Item::Stray {
                        fd: 1,
                        bytes: b"hello".to_vec()
                    },
                    Item::Record(Record::Start { index: 3 }),
                    Item::Stray {
                        fd: 1,
                        bytes: b"raw\n".to_vec()
                    },
                    Item::Record(Record::Done),
                ],
                "chunk size {chunk}"
            );
        }
    }

    #[test]
    fn a_record_over_the_limit_is_dropped_however_it_arrives() {
        let mut record = b"\x1e{\"event\":\"result\",\"index\":0,\"value\":\"".to_vec();
        record.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES));
        record.extend(b"\"}\n");
        for chunk in [record.len(), 65536] {
            let mut parser = StreamParser::new();
            let mut out = Vec::new();
            for part in record.chunks(chunk) {
                parser.push(part, &mut out);
            }
            parser.push(&encode(&Record::Done), &mut out);
            assert_eq!(
                out,
                vec![
                    Item::Stray {
                        fd: 1,
                        bytes: RECORD_CUT_NOTE.to_vec()
                    },
                    too_long(),
                    Item::Record(Record::Done)
                ],
                "chunk size {chunk}"
            );
        }
    }

    #[test]
    fn a_malformed_record_is_stray_output_and_said_unreadable() {
        let mut parser = StreamParser::new();
        let mut out = Vec::new();
        parser.push(
            b"\x1e{not json}\n\x1e{\"event\": \"result\", \"index\": 0, \"value\": [1,}\n\x1e{\"event\":\"done\"",
            &mut out,
        );
        parser.finish(&mut out);
        assert_eq!(
            out[0],
            Item::Stray {
                fd: 1,
                bytes: b"\x1e{not json}\n".to_vec()
            }
        );
        // Only a line that began as a result record stands for an unreadable result.
        assert!(matches!(&out[1], Item::Stray { .. }));
        assert!(matches!(&out[2], Item::Unreadable { reason } if reason.contains("could not be read")));
        let out = merged(out[3..].to_vec());
        // Cut short by the end of the stream: stray only.
        assert_eq!(
            out[..],
            [Item::Stray {
                fd: 1,
                bytes: b"\x1e{\"event\":\"done\"".to_vec()
            }]
        );
    }

    #[test]
    fn only_lone_surrogate_escapes_are_replaced() {
        let fixed = |s: &str| replace_lone_surrogates(s.as_bytes()).map(|v| String::from_utf8(v).unwrap());
        assert_eq!(fixed(r#""\ud83d\ude00 \n \u00e9""#), None);
        assert_eq!(fixed(r#""a\ud83d""#).as_deref(), Some(r#""a\uFFFD""#));
        assert_eq!(fixed(r#""\ude00\ud83d""#).as_deref(), Some(r#""\uFFFD\uFFFD""#));
        // An escaped backslash followed by `ud83d` is text, not an escape.
        assert_eq!(fixed(r#""\\ud83d \ud83d""#).as_deref(), Some(r#""\\ud83d \uFFFD""#));
        assert_eq!(fixed(r#""\ud83"#), None);
    }
}
