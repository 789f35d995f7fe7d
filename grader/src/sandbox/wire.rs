//! The frames a grader and its sandbox processes exchange on the child's stdin and stdout:
//! a tag byte, a little-endian `u32` length, the payload (JSON for what has structure, raw
//! bytes for a program's input and output).

use std::path::PathBuf;

use polyrun_core::Language;
use polyrun_core::grading::SessionEnd;
use serde::{Deserialize, Serialize};

use crate::GraderError;

/// The largest payload either side accepts: a session request carries a source (1 MiB at
/// most through the API) and a whole program's stdin; anything larger is a broken peer.
pub(crate) const MAX_PAYLOAD: usize = 256 << 20;

/// The largest frame a sandbox process may send (output comes in 64 KiB pieces, the rest
/// is small): one claiming more is a broken process, not a reason for the grader to buffer
/// it.
pub(crate) const MAX_FROM_SANDBOX: usize = 1 << 20;

/// The longest reason a session's end carries, in bytes.
pub(crate) const MAX_REASON: usize = 4096;

/// The largest piece of output one frame carries.
pub(crate) const OUTPUT_PIECE: usize = 64 << 10;

/// Where the sandbox process finds its runtimes and its compile cache.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Setup {
    pub runtimes_dir: PathBuf,
    pub cache_dir: Option<PathBuf>,
    pub cache_limit: u64,
}

/// A session to run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SessionRequest {
    pub language: Language,
    /// A whole program's source; `None`: the language's harness, fed by `Input` frames.
    pub whole: Option<String>,
    /// Memory beyond the runtime's footprint, in bytes.
    pub memory_limit: usize,
}

/// How a session ended, as the sandbox process saw it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum End {
    Exited(i32),
    MemoryLimit,
    StackOverflow,
    Crashed(String),
}

impl From<End> for SessionEnd {
    fn from(end: End) -> Self {
        match end {
            End::Exited(status) => SessionEnd::Exited(status),
            End::MemoryLimit => SessionEnd::MemoryLimit,
            End::StackOverflow => SessionEnd::StackOverflow,
            End::Crashed(reason) => SessionEnd::Crashed(reason),
        }
    }
}

/// A [`GraderError`] on the wire.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum Failure {
    MissingRuntime { path: PathBuf, reason: String },
    Compile { path: PathBuf, reason: String },
    Engine(String),
}

impl From<&GraderError> for Failure {
    fn from(e: &GraderError) -> Self {
        match e {
            GraderError::MissingRuntime { path, reason } => Failure::MissingRuntime {
                path: path.clone(),
                reason: reason.clone(),
            },
            GraderError::Compile { path, reason } => Failure::Compile {
                path: path.clone(),
                reason: reason.clone(),
            },
            GraderError::Engine(reason) | GraderError::Sandbox(reason) => Failure::Engine(reason.clone()),
        }
    }
}

impl From<Failure> for GraderError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::MissingRuntime { path, reason } => GraderError::MissingRuntime { path, reason },
            Failure::Compile { path, reason } => GraderError::Compile { path, reason },
            Failure::Engine(reason) => GraderError::Engine(reason),
        }
    }
}

/// What the grader sends.
#[derive(Debug)]
pub(crate) enum ToSandbox {
    /// The first frame: where the runtimes are.
    Setup(Setup),
    /// Load a language's runtime now; answered by `Loaded` or `Failed`.
    Load(Language),
    /// Run a session; answered by output, then `End` (or `Failed` if the runtime cannot load).
    Session(SessionRequest, Vec<u8>),
    /// More of a harness session's stdin.
    Input(Vec<u8>),
    /// The end of a harness session's stdin.
    InputEnd,
}

/// What a sandbox process sends.
#[derive(Debug)]
pub(crate) enum FromSandbox {
    /// A runtime is loaded; its footprint in bytes.
    Loaded(usize),
    /// A runtime cannot be loaded.
    Failed(Failure),
    /// Output of the session in flight, on file descriptor 1 or 2.
    Output(u8, Vec<u8>),
    /// The session's linear memory reached this many bytes.
    Peak(usize),
    /// The session ended.
    End(End, usize),
}

const SETUP: u8 = b'S';
const LOAD: u8 = b'L';
const SESSION: u8 = b'R';
const INPUT: u8 = b'I';
const INPUT_END: u8 = b'E';
const LOADED: u8 = b'l';
const FAILED: u8 = b'f';
const STDOUT: u8 = b'1';
const STDERR: u8 = b'2';
const PEAK: u8 = b'p';
const END: u8 = b'e';

fn frame(tag: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + payload.len());
    out.push(tag);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

fn parse<T: for<'de> Deserialize<'de>>(payload: &[u8]) -> Result<T, String> {
    serde_json::from_slice(payload).map_err(|e| format!("a malformed frame: {e}"))
}

impl ToSandbox {
    /// The frame's bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        match self {
            ToSandbox::Setup(setup) => frame(SETUP, &json(setup)),
            ToSandbox::Load(language) => frame(LOAD, &json(language)),
            ToSandbox::Session(request, stdin) => {
                let head = json(request);
                let mut payload = Vec::with_capacity(4 + head.len() + stdin.len());
                payload.extend_from_slice(&(head.len() as u32).to_le_bytes());
                payload.extend_from_slice(&head);
                payload.extend_from_slice(stdin);
                frame(SESSION, &payload)
            }
            ToSandbox::Input(bytes) => frame(INPUT, bytes),
            ToSandbox::InputEnd => frame(INPUT_END, &[]),
        }
    }

    /// The message of a frame.
    pub(crate) fn decode(tag: u8, payload: Vec<u8>) -> Result<Self, String> {
        Ok(match tag {
            SETUP => ToSandbox::Setup(parse(&payload)?),
            LOAD => ToSandbox::Load(parse(&payload)?),
            SESSION => {
                let len = payload
                    .get(..4)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
                    .ok_or("a session frame without its head")?;
                let head = payload.get(4..4 + len).ok_or("a session frame cut short")?;
                ToSandbox::Session(parse(head)?, payload[4 + len..].to_vec())
            }
            INPUT => ToSandbox::Input(payload),
            INPUT_END => ToSandbox::InputEnd,
            other => return Err(format!("an unknown frame {other}")),
        })
    }
}

impl FromSandbox {
    /// The frame's bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        match self {
            FromSandbox::Loaded(footprint) => frame(LOADED, &(*footprint as u64).to_le_bytes()),
            FromSandbox::Failed(failure) => frame(FAILED, &json(failure)),
            FromSandbox::Output(fd, bytes) => frame(if *fd == 1 { STDOUT } else { STDERR }, bytes),
            FromSandbox::Peak(bytes) => frame(PEAK, &(*bytes as u64).to_le_bytes()),
            FromSandbox::End(end, peak) => {
                let mut payload = (*peak as u64).to_le_bytes().to_vec();
                payload.extend_from_slice(&json(end));
                frame(END, &payload)
            }
        }
    }

    /// The message of a frame.
    pub(crate) fn decode(tag: u8, payload: Vec<u8>) -> Result<Self, String> {
        let number = |bytes: &[u8]| -> Result<usize, String> {
            let eight: [u8; 8] = bytes
                .get(..8)
                .and_then(|b| b.try_into().ok())
                .ok_or("a frame cut short")?;
            Ok(usize::try_from(u64::from_le_bytes(eight)).unwrap_or(usize::MAX))
        };
        Ok(match tag {
            LOADED => FromSandbox::Loaded(number(&payload)?),
            FAILED => FromSandbox::Failed(parse(&payload)?),
            STDOUT => FromSandbox::Output(1, payload),
            STDERR => FromSandbox::Output(2, payload),
            PEAK => FromSandbox::Peak(number(&payload)?),
            END => FromSandbox::End(parse(&payload[8.min(payload.len())..])?, number(&payload)?),
            other => return Err(format!("an unknown frame {other}")),
        })
    }
}

/// Where the first frame of `buf` is: its tag and the range of its payload, `Ok(None)` if
/// it has not all arrived yet, an error if its length is past [`MAX_FROM_SANDBOX`].
pub(crate) fn frame_at(buf: &[u8]) -> Result<Option<(u8, std::ops::Range<usize>)>, String> {
    let Some(head) = buf.get(..5) else {
        return Ok(None);
    };
    let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > MAX_FROM_SANDBOX {
        return Err(format!("a frame of {len} bytes"));
    }
    Ok((buf.len() >= 5 + len).then_some((head[0], 5..5 + len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(bytes: Vec<u8>) -> (u8, Vec<u8>) {
        let (tag, payload) = frame_at(&bytes).unwrap().expect("a whole frame");
        assert_eq!(payload.end, bytes.len());
        (tag, bytes[payload].to_vec())
    }

    #[test]
    fn every_message_survives_its_frame() {
        let request = SessionRequest {
            language: Language::Ruby,
            whole: Some("puts 1".into()),
            memory_limit: 7,
        };
        let (tag, payload) = round_trip(ToSandbox::Session(request, b"stdin\x00".to_vec()).encode());
        match ToSandbox::decode(tag, payload).unwrap() {
            ToSandbox::Session(got, stdin) => {
                assert_eq!(
                    (got.language, got.whole.as_deref(), got.memory_limit),
                    (Language::Ruby, Some("puts 1"), 7)
                );
                assert_eq!(stdin, b"stdin\x00");
            }
            other => panic!("{other:?}"),
        }
        let (tag, payload) = round_trip(FromSandbox::End(End::Exited(3), 1 << 40).encode());
        match FromSandbox::decode(tag, payload).unwrap() {
            FromSandbox::End(End::Exited(3), peak) => assert_eq!(peak, 1 << 40),
            other => panic!("{other:?}"),
        }
        let (tag, payload) = round_trip(FromSandbox::Output(2, vec![1, 2]).encode());
        assert!(matches!(FromSandbox::decode(tag, payload).unwrap(), FromSandbox::Output(2, b) if b == [1, 2]));
        assert!(FromSandbox::decode(b'?', Vec::new()).is_err());
        assert!(FromSandbox::decode(LOADED, vec![1]).is_err());
    }

    #[test]
    fn a_frame_cut_short_waits_and_an_oversized_one_is_an_error() {
        assert_eq!(frame_at(&[]), Ok(None));
        let bytes = FromSandbox::Peak(5).encode();
        assert_eq!(frame_at(&bytes[..7]), Ok(None));
        let mut two = bytes.clone();
        two.extend_from_slice(&bytes);
        assert_eq!(frame_at(&two), Ok(Some((b'p', 5..13))));
        assert!(frame_at(&[b'1', 0xff, 0xff, 0xff, 0xff]).is_err());
        let just_over = ((MAX_FROM_SANDBOX + 1) as u32).to_le_bytes();
        assert!(frame_at(&[b'1', just_over[0], just_over[1], just_over[2], just_over[3]]).is_err());
    }
}
