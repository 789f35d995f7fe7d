//! Problem packs as the app keeps them: the key a pack is stored under (its source URL, or
//! its file's name and content), the cap on how much of a download is read, and the list of
//! loaded packs (loading a pack again replaces it). Validation itself is core's
//! [`Pack::parse`]; nothing here trusts a pack that did not pass it.

use polyrun_core::pack::{MAX_PACK_BYTES, Pack};
use serde::{Deserialize, Serialize};

/// A loaded pack, as kept in the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPack {
    /// Its key: [`url_key`] or [`file_key`]; route-safe (`[a-z0-9]`).
    pub key: String,
    /// Where it came from: the URL, or the file's name.
    pub source: String,
    /// The pack, as [`Pack::parse`] accepted it.
    pub pack: Pack,
}

impl StoredPack {
    /// The pack's problem `id`, if it has one.
    pub fn problem(&self, id: &str) -> Option<&polyrun_core::problem::PublicProblem> {
        self.pack.problems.iter().find(|p| p.id == id)
    }
}

/// FNV-1a, 64 bits: a short stable name for a source, not a security measure.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The key of a pack loaded from `url` (the same URL again replaces it).
pub fn url_key(url: &str) -> String {
    format!("u{:016x}", fnv1a(&[url.as_bytes()]))
}

/// The key of a pack loaded from a file: its name and content (the same file again
/// replaces it).
pub fn file_key(name: &str, bytes: &[u8]) -> String {
    format!("f{:016x}", fnv1a(&[name.as_bytes(), bytes]))
}

/// The key under which a pack problem's drafts, own tests and solved mark are kept: never
/// a built-in problem's id (those are `[a-z0-9-]+`, without `/`).
pub fn problem_store_key(pack_key: &str, problem_id: &str) -> String {
    format!("pack/{pack_key}/{problem_id}")
}

/// The message for a pack of `size` bytes when that is over the cap.
fn too_big(size: u64) -> String {
    format!(
        "the pack is {} bytes or more; the largest accepted is {} MiB",
        size,
        MAX_PACK_BYTES >> 20
    )
}

/// Refuses a pack whose declared size (`Content-Length`, a file's size) is over the cap,
/// before any of it is read.
pub fn check_declared_size(size: u64) -> Result<(), String> {
    if size > MAX_PACK_BYTES as u64 {
        Err(too_big(size))
    } else {
        Ok(())
    }
}

/// A download read chunk by chunk, refused as soon as it grows past the cap (one byte past
/// is enough to know), so an endless or huge body is never held whole.
#[derive(Debug, Default)]
pub struct CappedBody {
    bytes: Vec<u8>,
}

impl CappedBody {
    /// Adds a chunk; an error once the body is over the cap (the reader should stop).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), String> {
        let total = self.bytes.len() as u64 + chunk.len() as u64;
        check_declared_size(total)?;
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    /// The body read so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Validates `bytes` from `source` (core's [`Pack::parse`]) and makes the pack to keep.
pub fn accept(key: String, source: String, bytes: &[u8]) -> Result<StoredPack, String> {
    let pack = Pack::parse(bytes).map_err(|e| format!("not a valid pack: {e}"))?;
    Ok(StoredPack { key, source, pack })
}

/// `packs` with `pack` added, or put in place of the one with the same key.
pub fn upsert(packs: &[StoredPack], pack: StoredPack) -> Vec<StoredPack> {
    let mut out = packs.to_vec();
    match out.iter_mut().find(|p| p.key == pack.key) {
        Some(slot) => *slot = pack,
        None => out.push(pack),
    }
    out
}

/// `packs` without the one keyed `key`.
pub fn remove(packs: &[StoredPack], key: &str) -> Vec<StoredPack> {
    packs.iter().filter(|p| p.key != key).cloned().collect()
}

/// The absolute http(s) URL a learner typed, or why it is not one. `resolved` is the text
/// as the browser resolved it against the page (`None` when it could not).
pub fn check_url(typed: &str, resolved: Option<&str>) -> Result<String, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err("type or paste the address of a pack file first".to_owned());
    }
    match resolved {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => Ok(url.to_owned()),
        _ => Err(format!("'{typed}' is not an http(s) address")),
    }
}

/// The pack URL of a shared link: the part of the URL after `#`, of the form
/// `/pack?url=<url-encoded>` (other query parameters are ignored). `None` for anything else.
pub fn link_url(fragment: &str) -> Option<String> {
    crate::account::fragment_param(fragment, "/pack", "url")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pack_bytes(title: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "format": "polyrun-pack/1", "title": title,
            "problems": [{
                "id": "add", "title": "Add", "difficulty": "easy", "tags": [],
                "function": "add", "params": ["a", "b"], "compare": "exact", "tolerance": 1e-6,
                "time_limit_ms": 2000, "memory_limit_mb": 256, "statement": "Add.",
                "tests": [{"index": 0, "args": [1, 2], "expected": 3, "hidden": false}]
            }]
        }))
        .unwrap()
    }

    #[test]
    fn keys_are_stable_route_safe_and_distinct() {
        let a = url_key("https://a.example/week1.json");
        assert_eq!(a, url_key("https://a.example/week1.json"));
        assert_ne!(a, url_key("https://a.example/week2.json"));
        assert!(a.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{a}");
        assert_eq!(a.len(), 17);
        assert_ne!(file_key("p.json", b"x"), file_key("p.json", b"y"));
        assert_ne!(file_key("ab", b"c"), file_key("a", b"bc"));
        assert_eq!(problem_store_key("u1", "add"), "pack/u1/add");
    }

    #[test]
    fn the_cap_refuses_declared_and_streamed_sizes() {
        assert!(check_declared_size(MAX_PACK_BYTES as u64).is_ok());
        assert!(
            check_declared_size(50 << 20)
                .unwrap_err()
                .contains("largest accepted is 4 MiB")
        );
        let mut body = CappedBody::default();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..4 {
            body.push(&chunk).unwrap();
        }
        assert!(body.push(b" ").is_err(), "one byte past the cap is refused");
        assert_eq!(body.into_bytes().len(), MAX_PACK_BYTES, "the refused chunk is not kept");
    }

    #[test]
    fn loading_again_replaces_and_remove_keeps_the_rest() {
        let one = accept("u1".into(), "https://x/1".into(), &pack_bytes("One")).unwrap();
        let two = accept("u2".into(), "https://x/2".into(), &pack_bytes("Two")).unwrap();
        let list = upsert(&upsert(&[], one), two.clone());
        let again = accept("u1".into(), "https://x/1".into(), &pack_bytes("One, v2")).unwrap();
        let list = upsert(&list, again);
        let titles: Vec<_> = list.iter().map(|p| p.pack.title.as_str()).collect();
        assert_eq!(titles, ["One, v2", "Two"]);
        assert_eq!(remove(&list, "u1"), vec![two]);
        assert!(list[0].problem("add").is_some() && list[0].problem("sub").is_none());
    }

    #[test]
    fn bad_packs_and_urls_say_why() {
        let e = accept("u".into(), "s".into(), b"<html>").unwrap_err();
        assert!(e.starts_with("not a valid pack: the pack is not JSON"), "{e}");
        assert!(check_url(" ", None).is_err());
        assert!(check_url("javascript:alert(1)", Some("javascript:alert(1)")).is_err());
        assert_eq!(
            check_url("w.json", Some("https://site/w.json")).unwrap(),
            "https://site/w.json"
        );
    }

    #[test]
    fn a_shared_link_names_its_pack() {
        assert_eq!(
            link_url("#/pack?url=https%3A%2F%2Fa.example%2Fw%201.json&x=1").as_deref(),
            Some("https://a.example/w 1.json")
        );
        assert_eq!(link_url("#/pack?x=1"), None);
        assert_eq!(link_url("#/signin?url=https%3A%2F%2Fa"), None);
        assert_eq!(link_url("#/pack?url="), None);
    }

    #[test]
    fn a_stored_pack_round_trips_through_json() {
        let one = accept("u1".into(), "https://x/1".into(), &pack_bytes("One")).unwrap();
        let text = serde_json::to_string(&vec![one.clone()]).unwrap();
        let back: Vec<StoredPack> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, vec![one]);
    }
}
