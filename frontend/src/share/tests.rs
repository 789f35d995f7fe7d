//! Unit tests of share links: round trips, the measured length of a realistic link, and
//! every kind of damaged or hostile payload refused with its own error.

use super::*;

/// A learner's 3 KB solution to shortest-path (also what the browser test shares).
const SOLUTION_3K: &str = include_str!("../../testdata/shortest_path_3k.py");

fn problem_share(code: &str) -> Share {
    Share {
        language: Language::Python,
        code: code.to_owned(),
        shared: Shared::Problem {
            id: "shortest-path".into(),
            tests: vec![
                SavedTest {
                    args: vec![
                        r#"{"a": {"b": 4, "c": 1}, "c": {"b": 2, "d": 7}, "b": {"d": 1}}"#.into(),
                        r#""a""#.into(),
                        r#""d""#.into(),
                    ],
                    expected: "4".into(),
                },
                SavedTest {
                    args: vec![r#"{"x": {}}"#.into(), r#""x""#.into(), r#""y""#.into()],
                    expected: String::new(),
                },
            ],
        },
    }
}

/// A payload made by hand: the version tag, then `bytes` zlib-packed and base64url'd.
fn payload_of(bytes: &[u8]) -> String {
    format!(
        "v1.{}",
        URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(bytes, 6))
    )
}

#[test]
fn problem_and_playground_shares_round_trip() {
    let share = problem_share("def shortest_path(graph, source, target):\n    return 0  # </script> é 日本\n");
    let payload = encode(&share).unwrap();
    assert!(payload.starts_with("v1."));
    assert!(
        payload[3..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "base64url without padding: {payload}"
    );
    assert_eq!(decode(&payload), Ok(share));

    let playground = Share {
        language: Language::Ruby,
        code: "puts gets.to_i * 2\n".into(),
        shared: Shared::Playground { stdin: "21\n".into() },
    };
    assert_eq!(decode(&encode(&playground).unwrap()), Ok(playground));
}

#[test]
fn a_3k_solution_link_stays_under_2000_characters() {
    assert!(SOLUTION_3K.len() >= 3000, "the sample is {} bytes", SOLUTION_3K.len());
    let share = problem_share(SOLUTION_3K);
    let payload = encode(&share).unwrap();
    let url = link("https://polyrun.example.org/", "/problems/shortest-path", &payload);
    println!(
        "share link for a {}-byte solution and 2 own tests: {} characters (payload {})",
        SOLUTION_3K.len(),
        url.len(),
        payload.len()
    );
    assert!(url.len() < 2000, "the link is {} characters", url.len());
    assert_eq!(decode(payload_in(&url[url.find('#').unwrap()..]).unwrap()), Ok(share));
}

#[test]
fn links_put_the_payload_in_the_fragment_query() {
    let url = link("http://127.0.0.1:8080/index.html?x=1#/old", "/playground", "v1.abc");
    assert_eq!(url, "http://127.0.0.1:8080/index.html?x=1#/playground?share=v1.abc");
    assert_eq!(payload_in("#/playground?share=v1.abc"), Some("v1.abc"));
    assert_eq!(payload_in("#/problems/x?a=1&share=v1.q&b=2"), Some("v1.q"));
    assert_eq!(payload_in("#/problems/x?shared=1"), None);
    assert_eq!(payload_in("#/problems/x"), None);
}

#[test]
fn a_link_cut_short_is_damaged() {
    let payload = encode(&problem_share(SOLUTION_3K)).unwrap();
    // Every cut, whether or not it leaves valid base64, is caught (zlib's checksum and its
    // end marker; JSON's syntax behind them).
    for keep in [
        payload.len() / 2,
        payload.len() - 1,
        payload.len() - 2,
        payload.len() - 3,
        10,
        4,
    ] {
        assert_eq!(decode(&payload[..keep]), Err(ShareError::Damaged), "cut to {keep}");
    }
    assert_eq!(decode("v1."), Err(ShareError::Damaged));
}

#[test]
fn garbage_and_unknown_formats_are_refused() {
    assert_eq!(decode("v1.!!!!"), Err(ShareError::Damaged));
    assert_eq!(
        decode("v1.aGVsbG8gd29ybGQ"),
        Err(ShareError::Damaged),
        "base64 of plain text"
    );
    assert!(matches!(decode("hello"), Err(ShareError::Format(_))));
    let newer = decode("v2.eJyrrgUAAXUA-Q").unwrap_err();
    assert!(newer.to_string().contains("“v2”"), "{newer}");
    // A flipped character in the middle breaks the checksum.
    let payload = encode(&problem_share(SOLUTION_3K)).unwrap();
    let mid = payload.len() / 2;
    let flipped = if &payload[mid..=mid] == "A" { "B" } else { "A" };
    let damaged = format!("{}{flipped}{}", &payload[..mid], &payload[mid + 1..]);
    assert!(decode(&damaged).is_err());
}

#[test]
fn a_decompression_bomb_stops_at_the_cap() {
    // 10 MB of spaces pack into about 10 KB.
    let bomb = payload_of(&vec![b' '; 10 * 1024 * 1024]);
    assert!(bomb.len() < 20_000, "{}", bomb.len());
    let err = decode(&bomb).unwrap_err();
    assert!(matches!(err, ShareError::TooLarge(_)), "{err:?}");
    assert!(err.to_string().contains("262144"), "{err}");
    // Past the payload cap, nothing is decoded at all.
    let huge = format!("v1.{}", "A".repeat(PAYLOAD_CAP_CHARS + 1));
    assert!(matches!(decode(&huge), Err(ShareError::TooLarge(_))));
}

#[test]
fn oversized_code_stdin_and_tests_are_refused_both_ways() {
    let big = format!(
        "# </script><script>alert(1)</script>\n{}",
        "x = 1\n".repeat(SOURCE_CAP_BYTES / 6 + 1)
    );
    let json = serde_json::json!({"language": "python", "code": big, "problem": "two-sum", "tests": []});
    let err = decode(&payload_of(json.to_string().as_bytes())).unwrap_err();
    assert!(err.to_string().contains("its code is"), "{err}");
    assert!(matches!(encode(&problem_share(&big)), Err(ShareError::TooLarge(_))));

    let stdin = "1\n".repeat(STDIN_CAP_BYTES);
    let json = serde_json::json!({"language": "ruby", "code": "", "stdin": stdin});
    assert!(
        decode(&payload_of(json.to_string().as_bytes()))
            .unwrap_err()
            .to_string()
            .contains("stdin")
    );

    let tests: Vec<_> = (0..=TESTS_CAP).map(|_| serde_json::json!({"args": ["1"]})).collect();
    let json = serde_json::json!({"language": "ruby", "code": "", "problem": "a", "tests": tests});
    assert!(
        decode(&payload_of(json.to_string().as_bytes()))
            .unwrap_err()
            .to_string()
            .contains("own tests")
    );
}

#[test]
fn wrong_types_and_unknown_languages_say_what_is_wrong() {
    let cases = [
        (
            r#"{"language": "cobol", "code": "", "stdin": ""}"#,
            "unknown language 'cobol'",
        ),
        (
            r#"{"language": "py", "code": "", "stdin": ""}"#,
            "unknown language 'py'",
        ),
        (r#"{"language": "python", "code": 42, "stdin": ""}"#, "invalid type"),
        (
            r#"{"language": "python", "code": "", "problem": "a", "tests": [{"args": [1]}]}"#,
            "invalid type",
        ),
        (
            r#"{"language": "python", "code": "", "problem": "../etc", "tests": []}"#,
            "not a problem id",
        ),
        (
            r#"{"language": "python", "code": "", "stdin": "", "extra": 1}"#,
            "unknown field",
        ),
        (
            r#"{"language": "python", "code": ""}"#,
            "neither a problem nor the playground",
        ),
        (
            r#"{"language": "python", "code": "", "problem": "a", "stdin": ""}"#,
            "not both",
        ),
        (r#"[1, 2, 3]"#, "invalid type"),
        ("\u{0}\u{1}binary", "expected value"),
    ];
    for (json, wanted) in cases {
        let err = decode(&payload_of(json.as_bytes())).unwrap_err();
        assert!(matches!(err, ShareError::Invalid(_)), "{json}: {err:?}");
        assert!(err.to_string().contains(wanted), "{json}: {err}");
    }
}
