//! The placeholders of a learner's own-test boxes: the first example's arguments, so
//! that the form each value takes is clear before anything is typed.

/// The placeholders of the argument boxes, one per parameter (missing ones: a generic
/// hint).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hints {
    /// One per parameter.
    pub args: Vec<String>,
}

/// How long a hint may be: the box is narrow, and a placeholder is not for reading data.
const HINT_CHARS: usize = 40;

impl Hints {
    /// The hints of a problem whose first example is `example` (none: generic hints).
    pub fn from_example(example: Option<&polyrun_core::TestCase>) -> Hints {
        let hint = |value: &serde_json::Value| {
            let text = serde_json::to_string(value).unwrap_or_default();
            if text.chars().count() > HINT_CHARS {
                format!("e.g. {}…", text.chars().take(HINT_CHARS - 1).collect::<String>())
            } else {
                format!("e.g. {text}")
            }
        };
        match example {
            Some(test) => Hints {
                args: test.args.iter().map(hint).collect(),
            },
            None => Hints::default(),
        }
    }

    /// The placeholder of parameter `param`'s box.
    pub fn arg(&self, param: usize) -> String {
        self.args
            .get(param)
            .cloned()
            .unwrap_or_else(|| "a JSON value, e.g. [1, 2, 3]".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn hints_show_the_first_examples_arguments_shortened() {
        let example = polyrun_core::TestCase {
            args: vec![json!([2, 7, 11, 15]), json!(9), json!("x".repeat(100))],
            expected: Some(json!([0, 1])),
            hidden: false,
            name: None,
        };
        let hints = Hints::from_example(Some(&example));
        assert_eq!(hints.arg(0), "e.g. [2,7,11,15]");
        assert_eq!(hints.arg(1), "e.g. 9");
        let long = hints.arg(2);
        assert!(long.starts_with("e.g. \"xxx") && long.ends_with('…'), "{long}");
        assert_eq!(long.chars().count(), "e.g. ".len() + HINT_CHARS);
        assert_eq!(hints.arg(3), "a JSON value, e.g. [1, 2, 3]");
        assert_eq!(Hints::from_example(None).arg(0), "a JSON value, e.g. [1, 2, 3]");
    }
}
