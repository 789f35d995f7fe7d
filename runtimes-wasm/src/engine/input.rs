//! Lazily buffered standard input shared by `readLine` and `readStdin`.

use std::io::{ErrorKind, Read};

/// How many bytes one read from the source asks for.
const CHUNK: usize = 64 * 1024;

/// Reads its source in chunks on demand and hands it out line by line or all at once.
pub struct LineReader<R> {
    source: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> LineReader<R> {
    /// A reader that has read nothing yet.
    pub fn new(source: R) -> Self {
        Self {
            source,
            buf: Vec::new(),
            pos: 0,
            eof: false,
        }
    }

    /// Reads one more chunk into the buffer, dropping what was already handed out.
    /// Returns `false` once the source is exhausted (a read error counts as the end).
    fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + CHUNK, 0);
        loop {
            match self.source.read(&mut self.buf[old..]) {
                Ok(0) => {
                    self.buf.truncate(old);
                    self.eof = true;
                    return false;
                }
                Ok(n) => {
                    self.buf.truncate(old + n);
                    return true;
                }
                Err(err) if err.kind() == ErrorKind::Interrupted => {}
                Err(_) => {
                    self.buf.truncate(old);
                    self.eof = true;
                    return false;
                }
            }
        }
    }

    /// The next line without its `\n` or `\r\n` terminator, or `None` at the end of input.
    pub fn read_line(&mut self) -> Option<String> {
        let mut scanned = 0;
        loop {
            let pending = &self.buf[self.pos..];
            if let Some(i) = pending[scanned..].iter().position(|&b| b == b'\n') {
                let end = scanned + i;
                let line = pending[..end].strip_suffix(b"\r").unwrap_or(&pending[..end]);
                let line = String::from_utf8_lossy(line).into_owned();
                self.pos += end + 1;
                return Some(line);
            }
            scanned = pending.len();
            if !self.fill() {
                if self.pos == self.buf.len() {
                    return None;
                }
                let line = String::from_utf8_lossy(&self.buf[self.pos..]).into_owned();
                self.pos = self.buf.len();
                return Some(line);
            }
        }
    }

    /// Everything not handed out yet, up to the end of input ("" when nothing is left).
    pub fn read_all(&mut self) -> String {
        while self.fill() {}
        let rest = String::from_utf8_lossy(&self.buf[self.pos..]).into_owned();
        self.pos = self.buf.len();
        rest
    }
}

#[cfg(test)]
mod tests {
    use super::LineReader;

    /// A source that returns at most `step` bytes per read, to exercise chunk boundaries.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(self.data.len()).min(out.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn lines_then_rest() {
        let data = "one\r\ntwo\n\nthré\nlast".as_bytes();
        for step in [1, 2, 3, 1000] {
            let mut reader = LineReader::new(Trickle { data, step });
            assert_eq!(reader.read_line().as_deref(), Some("one"));
            assert_eq!(reader.read_line().as_deref(), Some("two"));
            assert_eq!(reader.read_line().as_deref(), Some(""));
            assert_eq!(reader.read_all(), "thré\nlast");
            assert_eq!(reader.read_line(), None);
            assert_eq!(reader.read_all(), "");
        }
    }

    #[test]
    fn final_line_without_newline() {
        let mut reader = LineReader::new(&b"a\nb"[..]);
        assert_eq!(reader.read_line().as_deref(), Some("a"));
        assert_eq!(reader.read_line().as_deref(), Some("b"));
        assert_eq!(reader.read_line(), None);
    }

    #[test]
    fn empty_input() {
        let mut reader = LineReader::new(&b""[..]);
        assert_eq!(reader.read_line(), None);
        assert_eq!(reader.read_all(), "");
    }
}
