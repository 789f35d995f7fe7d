//! The three languages polyrun runs, their ids, file extensions and naming conventions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language a submission can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// CPython 3.14.
    Python,
    /// CRuby 3.4.
    Ruby,
    /// JavaScript (ES2023).
    Javascript,
}

impl Language {
    /// Every language, in the order the app lists them.
    pub const ALL: [Language; 3] = [Language::Python, Language::Ruby, Language::Javascript];

    /// The id used on the command line, in the API and in reports.
    pub fn id(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Ruby => "ruby",
            Language::Javascript => "javascript",
        }
    }

    /// The name shown to people.
    pub fn display_name(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::Ruby => "Ruby",
            Language::Javascript => "JavaScript",
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Language::Python => "py",
            Language::Ruby => "rb",
            Language::Javascript => "js",
        }
    }

    /// The language a file name's extension stands for.
    pub fn from_path(path: &std::path::Path) -> Option<Language> {
        match path.extension()?.to_str()? {
            "py" => Some(Language::Python),
            "rb" => Some(Language::Ruby),
            "js" | "mjs" | "cjs" => Some(Language::Javascript),
            _ => None,
        }
    }

    /// The file name a user's solution has inside the sandbox (what error lines refer to).
    pub fn solution_file(self) -> &'static str {
        match self {
            Language::Python => "solution.py",
            Language::Ruby => "solution.rb",
            Language::Javascript => "solution.js",
        }
    }

    /// The file name of a whole program run with `polyrun run`.
    pub fn program_file(self) -> &'static str {
        match self {
            Language::Python => "main.py",
            Language::Ruby => "main.rb",
            Language::Javascript => "main.js",
        }
    }

    /// An identifier from the problem bank (snake_case) in this language's convention:
    /// unchanged in Python and Ruby, lowerCamelCase in JavaScript.
    pub fn identifier(self, snake: &str) -> String {
        match self {
            Language::Python | Language::Ruby => snake.to_owned(),
            Language::Javascript => to_lower_camel(snake),
        }
    }

    /// The error a runaway recursion gives in this language, for a run the sandbox ended
    /// on a stack overflow (so the verdict reads as it would on the language's own runtime).
    pub fn stack_overflow_error(self) -> (&'static str, &'static str) {
        match self {
            Language::Python => ("RecursionError", "maximum recursion depth exceeded"),
            Language::Ruby => ("SystemStackError", "stack level too deep"),
            Language::Javascript => ("RangeError", "Maximum call stack size exceeded"),
        }
    }
}

/// `two_sum` → `twoSum`; leading underscores are kept.
pub fn to_lower_camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper_next = false;
    let mut seen_letter = false;
    for c in snake.chars() {
        if c == '_' && seen_letter {
            upper_next = true;
        } else if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            seen_letter |= c != '_';
            out.push(c);
        }
    }
    out
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The error for a language id polyrun does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language '{0}' (expected python, ruby or javascript)")]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "python" | "py" | "python3" => Ok(Language::Python),
            "ruby" | "rb" => Ok(Language::Ruby),
            "javascript" | "js" | "node" => Ok(Language::Javascript),
            _ => Err(UnknownLanguage(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_follows_javascript_convention() {
        assert_eq!(to_lower_camel("two_sum"), "twoSum");
        assert_eq!(to_lower_camel("a_b_c"), "aBC");
        assert_eq!(to_lower_camel("nums"), "nums");
        assert_eq!(to_lower_camel("_private_thing"), "_privateThing");
        assert_eq!(to_lower_camel("max_area_2d"), "maxArea2d");
    }

    #[test]
    fn ids_round_trip() {
        for lang in Language::ALL {
            assert_eq!(lang.id().parse::<Language>(), Ok(lang));
        }
        assert!("cobol".parse::<Language>().is_err());
    }
}
