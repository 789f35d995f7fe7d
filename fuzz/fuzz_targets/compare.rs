//! Fuzz target `compare`: `values_match` on JSON values parsed from the input (two values,
//! one after the other; the first byte, when not part of JSON, picks a nesting depth and
//! which numbers to rewrite as floats).
//!
//! Invariants: no panic (deep nesting, huge numbers; JSON has no NaN); every mode is
//! reflexive; `exact` and `unordered` are symmetric; an array matches, under `unordered`,
//! any reordering of itself in which some integers are written as equal floats (`2` as
//! `2.0`); `exact` implies `unordered` and `float`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use polyrun_core::compare::DEFAULT_TOLERANCE;
use polyrun_core::{CompareMode, values_match};
use serde_json::{Number, Value};

fuzz_target!(|data: &[u8]| {
    let Some((&knobs, json)) = data.split_first() else {
        return;
    };
    let mut values = serde_json::Deserializer::from_slice(json).into_iter::<Value>();
    let Some(Ok(a)) = values.next() else {
        return;
    };
    let b = match values.next() {
        Some(Ok(b)) => b,
        _ => a.clone(),
    };
    let depth = usize::from(knobs & 0x3f);
    let a = nest(a, depth);
    let b = nest(b, depth);
    let m = |x: &Value, y: &Value, mode| values_match(x, y, mode, DEFAULT_TOLERANCE);

    for v in [&a, &b] {
        assert!(m(v, v, CompareMode::Exact), "exact is not reflexive on {v}");
        assert!(m(v, v, CompareMode::Unordered), "unordered is not reflexive on {v}");
        assert!(m(v, v, CompareMode::Float), "float is not reflexive on {v}");
    }
    let exact = m(&a, &b, CompareMode::Exact);
    assert_eq!(
        exact,
        m(&b, &a, CompareMode::Exact),
        "exact is not symmetric: {a} / {b}"
    );
    let unordered = m(&a, &b, CompareMode::Unordered);
    assert_eq!(
        unordered,
        m(&b, &a, CompareMode::Unordered),
        "unordered is not symmetric: {a} / {b}"
    );
    if exact {
        assert!(unordered, "exact but not unordered: {a} / {b}");
        assert!(m(&a, &b, CompareMode::Float), "exact but not float: {a} / {b}");
    }

    // A reordering with some integers written as floats of the same value.
    if let Value::Array(items) = &a {
        let mut other: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if (knobs >> (i % 2 + 6)) & 1 == 1 {
                    floated(v)
                } else {
                    v.clone()
                }
            })
            .collect();
        other.reverse();
        let same = items
            .iter()
            .zip(other.iter().rev())
            .all(|(x, y)| m(x, y, CompareMode::Exact));
        if same {
            let other = Value::Array(other);
            assert!(
                m(&a, &other, CompareMode::Unordered),
                "unordered rejects a reordering of equal elements: {a} / {other}"
            );
        }
    }
});

fn nest(mut v: Value, depth: usize) -> Value {
    for i in 0..depth {
        v = if i % 2 == 0 {
            Value::Array(vec![v])
        } else {
            Value::Object([("k".to_owned(), v)].into_iter().collect())
        };
    }
    v
}

/// `v` with its integers written as floats where that keeps the value exactly.
fn floated(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => n
            .as_f64()
            .filter(|f| {
                let f = *f;
                f.fract() == 0.0
                    && f.abs() < 1.7e38
                    && (f as i128) == n.as_i64().map_or_else(|| n.as_u64().map_or(0, i128::from), i128::from)
            })
            .and_then(Number::from_f64)
            .map_or_else(|| v.clone(), Value::Number),
        Value::Array(items) => Value::Array(items.iter().map(floated).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), floated(v))).collect()),
        other => other.clone(),
    }
}
