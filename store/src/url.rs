//! `--store` / `POLYRUN_STORE`: `sqlite:PATH`, `dynamodb:TABLE` or `memory`, and the
//! default `sqlite:$POLYRUN_DATA/polyrun.db` (`POLYRUN_DATA` defaulting to
//! `~/.local/share/polyrun`).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::StoreError;

/// Where the store is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A DynamoDB table (the AWS SDK's configuration says where).
    Dynamodb(String),
    /// Nothing kept.
    Memory,
}

impl StoreUrl {
    /// The default: `sqlite:` + `$POLYRUN_DATA/polyrun.db`.
    pub fn default_sqlite() -> Result<StoreUrl, StoreError> {
        let data = match std::env::var_os("POLYRUN_DATA").filter(|d| !d.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => {
                let home = std::env::var_os("HOME")
                    .filter(|h| !h.is_empty())
                    .ok_or_else(|| StoreError::Invalid("neither POLYRUN_DATA nor HOME is set: pass --store".into()))?;
                PathBuf::from(home).join(".local").join("share").join("polyrun")
            }
        };
        Ok(StoreUrl::Sqlite(data.join("polyrun.db")))
    }

    /// `--store` if given, else `POLYRUN_STORE`, else the default.
    pub fn resolve(flag: Option<&str>) -> Result<StoreUrl, StoreError> {
        match flag {
            Some(text) => text.parse(),
            None => match std::env::var("POLYRUN_STORE") {
                Ok(text) if !text.is_empty() => text.parse(),
                _ => StoreUrl::default_sqlite(),
            },
        }
    }
}

impl FromStr for StoreUrl {
    type Err = StoreError;
    fn from_str(text: &str) -> Result<StoreUrl, StoreError> {
        let bad = |why: &str| {
            StoreError::Invalid(format!(
                "'{text}' is not a store: {why} (sqlite:PATH, dynamodb:TABLE or memory)"
            ))
        };
        if text == "memory" {
            return Ok(StoreUrl::Memory);
        }
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(bad("no path"));
            }
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if let Some(table) = text.strip_prefix("dynamodb:") {
            // DynamoDB's own rule for table names.
            let valid = (3..=255).contains(&table.len())
                && table.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
            if !valid {
                return Err(bad("a table name is 3 to 255 of a-z, A-Z, 0-9, _ . -"));
            }
            return Ok(StoreUrl::Dynamodb(table.to_owned()));
        }
        Err(bad("unknown kind"))
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            StoreUrl::Dynamodb(table) => write!(f, "dynamodb:{table}"),
            StoreUrl::Memory => f.write_str("memory"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls_parse_and_bad_ones_say_why() {
        assert_eq!("memory".parse::<StoreUrl>().ok(), Some(StoreUrl::Memory));
        assert_eq!(
            "sqlite:/tmp/a.db".parse::<StoreUrl>().ok(),
            Some(StoreUrl::Sqlite("/tmp/a.db".into()))
        );
        assert_eq!(
            "sqlite:rel.db".parse::<StoreUrl>().ok(),
            Some(StoreUrl::Sqlite("rel.db".into()))
        );
        assert_eq!(
            "dynamodb:polyrun-prod".parse::<StoreUrl>().ok(),
            Some(StoreUrl::Dynamodb("polyrun-prod".into()))
        );
        for bad in ["", "sqlite:", "postgres://x", "dynamodb:a", "dynamodb:a b c", "Memory"] {
            let err = bad.parse::<StoreUrl>().expect_err(bad).to_string();
            assert!(err.contains("is not a store"), "{err}");
        }
    }
}
