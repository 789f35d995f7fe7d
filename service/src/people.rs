//! The store's commands: `polyrun token create | list | revoke`, `polyrun submissions`
//! (list, filter, `prune --older-than`) and `polyrun gradebook` (table, JSON or CSV).
//! Every one prints to stdout and never prints a token but the one it just made.

use std::fmt::Write as _;
use std::time::Duration;

use polyrun_store::model::rfc3339;
use polyrun_store::{
    Filter, Gradebook, MAX_PAGE, NewToken, Role, Store, StoreError, hash_token, new_token_secret, now_ms,
};

/// `token create`: the new token's secret, printed once; with `invite`, also the site's
/// URL with the token in its fragment (`<site>#/signin?token=<token>`).
pub async fn token_create(
    store: &dyn Store,
    name: &str,
    role: Role,
    invite: Option<&str>,
) -> Result<String, StoreError> {
    valid_name(name)?;
    let secret = new_token_secret();
    store
        .put_token(&NewToken {
            name: name.to_owned(),
            role,
            hash: hash_token(&secret),
            created_at_ms: now_ms(),
        })
        .await?;
    let mut out = format!("{secret}\n");
    if let Some(site) = invite {
        let site = site.split('#').next().unwrap_or(site);
        let _ = writeln!(out, "{site}#/signin?token={secret}");
    }
    Ok(out)
}

/// A token's name: 1 to 64 printable characters, no control characters.
fn valid_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.trim().is_empty()
        && name.chars().count() <= 64
        && !name.chars().any(char::is_control)
        && name.trim() == name;
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "'{}' is not a name: 1 to 64 characters, no leading or trailing blanks, no control characters",
            name.escape_debug()
        )))
    }
}

/// `token list`: name, role, created, revoked.
pub async fn token_list(store: &dyn Store, json: bool) -> Result<String, StoreError> {
    let tokens = store.tokens().await?;
    if json {
        let rows: Vec<_> = tokens
            .iter()
            .map(|t| serde_json::json!({"name": t.name, "role": t.role.id(), "created_at": rfc3339(t.created_at_ms), "revoked": t.revoked}))
            .collect();
        return Ok(format!("{}\n", serde_json::Value::Array(rows)));
    }
    let mut out = format!("{:<24} {:<8} {:<25} {}\n", "NAME", "ROLE", "CREATED", "STATUS");
    for t in tokens {
        let _ = writeln!(
            out,
            "{:<24} {:<8} {:<25} {}",
            t.name,
            t.role.id(),
            rfc3339(t.created_at_ms),
            if t.revoked { "revoked" } else { "active" }
        );
    }
    Ok(out)
}

/// `token revoke NAME`.
pub async fn token_revoke(store: &dyn Store, name: &str) -> Result<String, StoreError> {
    if store.revoke_token(name).await? {
        Ok(format!("revoked the token of {name}\n"))
    } else {
        Err(StoreError::Invalid(format!("there is no active token named '{name}'")))
    }
}

/// `submissions`: newest first, as a table or JSON lines.
pub async fn submissions(
    store: &dyn Store,
    problem: Option<String>,
    user: Option<String>,
    limit: usize,
    json: bool,
) -> Result<String, StoreError> {
    if limit == 0 {
        return Err(StoreError::Invalid("--limit must be at least 1".into()));
    }
    let mut filter = Filter {
        problem,
        user,
        limit: limit.min(MAX_PAGE),
        before: None,
    };
    let mut items = Vec::new();
    while items.len() < limit {
        filter.limit = (limit - items.len()).min(MAX_PAGE);
        let page = store.submissions(&filter).await?;
        items.extend(page.items);
        match page.next {
            Some(next) => filter.before = Some(next),
            None => break,
        }
    }
    let mut out = String::new();
    if json {
        for s in &items {
            let row = serde_json::json!({
                "id": s.id, "user": s.user, "problem": s.problem, "language": s.language,
                "verdict": s.verdict, "passed": s.passed, "total": s.total, "time_ms": s.time_ms,
                "created_at": rfc3339(s.created_at_ms),
            });
            let _ = writeln!(out, "{row}");
        }
        return Ok(out);
    }
    let _ = writeln!(
        out,
        "{:<32} {:<25} {:<16} {:<20} {:<10} {:<21} PASSED",
        "ID", "CREATED", "USER", "PROBLEM", "LANGUAGE", "VERDICT"
    );
    for s in &items {
        let _ = writeln!(
            out,
            "{:<32} {:<25} {:<16} {:<20} {:<10} {:<21} {}/{}",
            s.id,
            rfc3339(s.created_at_ms),
            s.user.as_deref().unwrap_or("-"),
            s.problem,
            s.language,
            s.verdict.id(),
            s.passed,
            s.total
        );
    }
    Ok(out)
}

/// `submissions prune --older-than 90d`.
pub async fn prune(store: &dyn Store, older_than: &str) -> Result<String, StoreError> {
    let age: Duration = humantime::parse_duration(older_than).map_err(|e| {
        StoreError::Invalid(format!(
            "--older-than '{older_than}' is not a duration like 90d or 12h: {e}"
        ))
    })?;
    let age_ms = i64::try_from(age.as_millis()).unwrap_or(i64::MAX);
    let before = now_ms().saturating_sub(age_ms);
    let (subs, jobs) = store.prune(before).await?;
    Ok(format!(
        "pruned {subs} submissions and {jobs} finished Judge0 submissions created before {}\n",
        rfc3339(before.max(0))
    ))
}

/// `gradebook`: a table (users × problems), JSON or CSV.
pub async fn gradebook(store: &dyn Store, csv: bool, json: bool) -> Result<String, StoreError> {
    let book = Gradebook::of(store).await?;
    if csv {
        return Ok(book.to_csv());
    }
    if json {
        return Ok(format!("{}\n", serde_json::to_string_pretty(&book).unwrap_or_default()));
    }
    let mut out = format!("{:<20}", "USER");
    for p in &book.problems {
        let _ = write!(out, " {p:<22}");
    }
    out.push('\n');
    for row in &book.rows {
        let _ = write!(out, "{:<20}", row.user);
        for p in &book.problems {
            let cell = row
                .results
                .get(p)
                .map(|c| format!("{} {}/{} ×{}", short(c.verdict.id()), c.passed, c.total, c.attempts))
                .unwrap_or_else(|| "-".into());
            let _ = write!(out, " {cell:<22}");
        }
        out.push('\n');
    }
    Ok(out)
}

/// A verdict in two or three letters, for the table.
fn short(verdict: &str) -> &'static str {
    match verdict {
        "accepted" => "AC",
        "wrong_answer" => "WA",
        "runtime_error" => "RE",
        "time_limit_exceeded" => "TLE",
        "memory_limit_exceeded" => "MLE",
        "compile_error" => "CE",
        _ => "-",
    }
}

/// The role `--role` names.
pub fn role(text: &str) -> Result<Role, StoreError> {
    text.parse()
}
