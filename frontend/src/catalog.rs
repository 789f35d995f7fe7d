//! Filtering the problem list on the welcome page: a search over titles and tags, and a
//! difficulty filter.

use polyrun_core::problem::{Difficulty, ProblemSummary};

/// Whether `problem` matches the search text (every word found in the title, the id or a
/// tag, case-insensitively) and the difficulty filter (`None` for any).
pub fn matches(problem: &ProblemSummary, query: &str, difficulty: Option<Difficulty>) -> bool {
    if difficulty.is_some_and(|d| d != problem.difficulty) {
        return false;
    }
    let title = problem.title.to_lowercase();
    let tags: Vec<String> = problem.tags.iter().map(|t| t.to_lowercase()).collect();
    query.split_whitespace().all(|word| {
        let word = word.to_lowercase();
        title.contains(&word) || problem.id.contains(&word) || tags.iter().any(|t| t.contains(&word))
    })
}

/// The problems that match, in the list's order.
pub fn filter<'a>(
    problems: &'a [ProblemSummary],
    query: &str,
    difficulty: Option<Difficulty>,
) -> Vec<&'a ProblemSummary> {
    problems.iter().filter(|p| matches(p, query, difficulty)).collect()
}

/// A difficulty from its id (`easy`, `medium`, `hard`); anything else is "any".
pub fn parse_difficulty(id: &str) -> Option<Difficulty> {
    match id {
        "easy" => Some(Difficulty::Easy),
        "medium" => Some(Difficulty::Medium),
        "hard" => Some(Difficulty::Hard),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: &str, title: &str, difficulty: Difficulty, tags: &[&str]) -> ProblemSummary {
        ProblemSummary {
            id: id.into(),
            title: title.into(),
            difficulty,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    #[test]
    fn search_matches_title_and_tags() {
        let list = vec![
            summary("two-sum", "Two Sum", Difficulty::Easy, &["array", "hash-table"]),
            summary("n-queens", "N-Queens", Difficulty::Hard, &["backtracking"]),
        ];
        assert_eq!(filter(&list, "", None).len(), 2);
        assert_eq!(filter(&list, "sum", None)[0].id, "two-sum");
        assert_eq!(filter(&list, "HASH", None)[0].id, "two-sum");
        assert_eq!(filter(&list, "queens back", None)[0].id, "n-queens");
        assert!(filter(&list, "sum backtracking", None).is_empty());
        assert_eq!(filter(&list, "", Some(Difficulty::Hard))[0].id, "n-queens");
        assert!(filter(&list, "sum", Some(Difficulty::Hard)).is_empty());
        assert_eq!(parse_difficulty("medium"), Some(Difficulty::Medium));
        assert_eq!(parse_difficulty("all"), None);
    }
}
