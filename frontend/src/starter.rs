//! Starter code: an empty definition of the problem's entry point in each language, named
//! as the harness calls it (`two_sum` in Python and Ruby, `twoSum` in JavaScript).

use polyrun_core::Language;
use polyrun_core::problem::ProblemMeta;

/// The starter code of `function(params…)` in `language`.
pub fn starter_code(language: Language, function: &str, params: &[String]) -> String {
    let name = language.identifier(function);
    let params: Vec<String> = params.iter().map(|p| language.identifier(p)).collect();
    let params = params.join(", ");
    match language {
        Language::Python => format!("def {name}({params}):\n    pass\n"),
        Language::Ruby => format!("def {name}({params})\nend\n"),
        Language::Javascript => format!("function {name}({params}) {{\n}}\n"),
    }
}

/// The starter code of a problem in `language`.
pub fn starter_for(meta: &ProblemMeta, language: Language) -> String {
    starter_code(language, &meta.function, &meta.params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starters_follow_each_language_convention() {
        let params = vec!["nums".to_owned(), "target_sum".to_owned()];
        assert_eq!(
            starter_code(Language::Python, "two_sum", &params),
            "def two_sum(nums, target_sum):\n    pass\n"
        );
        assert_eq!(
            starter_code(Language::Ruby, "two_sum", &params),
            "def two_sum(nums, target_sum)\nend\n"
        );
        assert_eq!(
            starter_code(Language::Javascript, "two_sum", &params),
            "function twoSum(nums, targetSum) {\n}\n"
        );
        assert_eq!(starter_code(Language::Python, "f", &[]), "def f():\n    pass\n");
    }
}
