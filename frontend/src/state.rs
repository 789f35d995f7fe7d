//! The problem page's state and its one reducer: the language, the code in each language,
//! the learner's own test cases, and the run in progress or its results.
//!
//! Everything here is plain data and logic (unit-tested on the host); the page wires it to
//! Yew through the `Reducible` implementation at the bottom.

use std::collections::BTreeMap;

use polyrun_core::Language;
use polyrun_core::problem::{PublicProblem, PublicTest, TestCase};
use polyrun_core::report::GradeReport;
use polyrun_core::verdict::Verdict;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::account::SubmissionSummary;
use crate::starter::starter_for;

/// A learner's own test case, as typed: one JSON text per parameter and an optional
/// expected value (empty: the test passes if the function returns).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomTest {
    /// A stable id for the page (keys, edits); not persisted.
    pub id: u32,
    /// One JSON text per parameter.
    pub args: Vec<String>,
    /// The expected value as JSON text, or empty.
    pub expected: String,
}

/// A learner's own test as it is kept in local storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedTest {
    /// One JSON text per parameter.
    pub args: Vec<String>,
    /// The expected value as JSON text, or empty.
    #[serde(default)]
    pub expected: String,
}

/// Parses one JSON input box: `Ok(None)` for an empty optional box, an error saying what
/// is wrong otherwise.
pub fn parse_json_input(text: &str, required: bool) -> Result<Option<Value>, String> {
    if text.trim().is_empty() {
        return if required {
            Err("required: a JSON value such as [1, 2], \"text\", 3 or null".into())
        } else {
            Ok(None)
        };
    }
    serde_json::from_str(text)
        .map(Some)
        .map_err(|e| format!("not valid JSON: {e}"))
}

impl CustomTest {
    /// What is wrong with argument `i`, if anything.
    pub fn arg_error(&self, i: usize) -> Option<String> {
        self.args.get(i).and_then(|text| parse_json_input(text, true).err())
    }

    /// What is wrong with the expected value, if anything.
    pub fn expected_error(&self) -> Option<String> {
        parse_json_input(&self.expected, false).err()
    }

    /// The test case, or the first thing wrong with it (naming the parameter).
    pub fn to_test_case(&self, params: &[String]) -> Result<TestCase, String> {
        let mut args = Vec::with_capacity(self.args.len());
        for (i, text) in self.args.iter().enumerate() {
            let name = params.get(i).map_or("an argument", String::as_str);
            match parse_json_input(text, true) {
                Ok(value) => args.push(value.unwrap_or(Value::Null)),
                Err(e) => return Err(format!("{name}: {e}")),
            }
        }
        let expected = parse_json_input(&self.expected, false).map_err(|e| format!("expected: {e}"))?;
        Ok(TestCase {
            args,
            expected,
            hidden: false,
            name: None,
        })
    }

    /// The form kept in local storage.
    pub fn saved(&self) -> SavedTest {
        SavedTest {
            args: self.args.clone(),
            expected: self.expected.clone(),
        }
    }
}

/// A run against the examples and own tests in the browser, or a submission to a grader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// Examples and own tests, in the browser sandbox.
    Run,
    /// Every test, hidden ones included, on the grader.
    Submit,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A grade report (for a run: the examples first, then the learner's own tests).
    Graded {
        /// Run or submit.
        kind: RunKind,
        /// The report.
        report: GradeReport,
    },
    /// The run could not happen (the runtime failed to load, the grader did not answer…).
    Failed {
        /// Run or submit.
        kind: RunKind,
        /// What went wrong, for people.
        message: String,
    },
    /// The learner stopped it (the Stop button) before it ended: no verdict.
    Stopped {
        /// Run or submit.
        kind: RunKind,
    },
}

/// Where the page's run is.
#[derive(Debug, Clone, PartialEq)]
pub enum RunState {
    /// Nothing run yet.
    Idle,
    /// Running.
    Running(RunKind),
    /// The last run's outcome.
    Finished(Outcome),
}

/// The learner's submissions of the problem, as the grader lists them.
#[derive(Debug, Clone, PartialEq)]
pub enum Listing {
    /// Not asked for (no grader, or nobody signed in).
    Off,
    /// Being fetched.
    Loading,
    /// Newest first.
    Ready(Vec<SubmissionSummary>),
    /// Could not be fetched, for this reason.
    Failed(String),
}

/// The problem page's state.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemState {
    /// The problem's id.
    pub problem_id: String,
    /// Parameter names (snake_case, as in the bank).
    pub params: Vec<String>,
    /// How many public tests (examples) the problem has; a run's report lists them first.
    pub examples: usize,
    /// The first example's arguments as JSON texts (what a new own test starts with).
    pub example_args: Vec<String>,
    /// The language being edited.
    pub language: Language,
    /// Starter code per language.
    pub starters: BTreeMap<Language, String>,
    /// The code per language.
    pub code: BTreeMap<Language, String>,
    /// The learner's own tests.
    pub tests: Vec<CustomTest>,
    /// The id the next own test gets.
    pub next_test_id: u32,
    /// The run in progress or the last one's outcome.
    pub run: RunState,
    /// How many runs have finished (the results panel shows each outcome afresh).
    pub finished_runs: u64,
    /// Why the last run did not start (invalid own tests), shown by the run button.
    pub run_blocked: Option<String>,
    /// Whether the problem is solved in this browser: with a grader, its last graded
    /// submission was accepted; without one, a run accepted every example.
    pub solved: bool,
    /// Whether Submit has a grader: then only the grader's verdict marks the problem
    /// solved (see [`solves`]).
    pub grader: bool,
    /// "Your submissions" on the grader.
    pub submissions: Listing,
    /// Goes up after each graded submission, so that the list is fetched again.
    pub submissions_version: u64,
    /// The submission whose code the editor was given last: its id, language and source.
    pub opened: Option<(String, Language, String)>,
    /// Per language, the learner's code that opening a submission replaced, to bring back.
    pub replaced_drafts: BTreeMap<Language, String>,
    /// Why the last submission could not be opened.
    pub open_error: Option<String>,
    /// The code a share link put into the editor, in its language (while it is unedited,
    /// it is not saved as the learner's draft).
    pub shared: Option<(Language, String)>,
    /// The own tests a share link brought, as opened (not saved while unedited either).
    pub shared_tests: Option<Vec<SavedTest>>,
    /// The learner's own tests that a share link replaced, to bring back.
    pub replaced_tests: Option<Vec<CustomTest>>,
    /// Why the last share link could not be opened.
    pub share_error: Option<String>,
}

/// What can happen on the problem page.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Switch to a language.
    SetLanguage(Language),
    /// The editor's text changed, in `language`.
    Edit {
        /// The language the text is in.
        language: Language,
        /// The whole text.
        code: String,
    },
    /// Put the current language's starter code back.
    ResetCode,
    /// Add an own test (pre-filled with the first example's arguments).
    AddTest,
    /// Edit argument `param` of own test `id`.
    EditArg {
        /// The test.
        id: u32,
        /// The parameter's position.
        param: usize,
        /// The JSON text.
        text: String,
    },
    /// Edit the expected value of own test `id`.
    EditExpected {
        /// The test.
        id: u32,
        /// The JSON text (empty for none).
        text: String,
    },
    /// Delete own test `id`.
    DeleteTest(u32),
    /// A run could not start, for this reason.
    RunBlocked(String),
    /// A run started.
    RunStarted(RunKind),
    /// The run ended.
    RunFinished(Outcome),
    /// The submissions list is being fetched (`Off`: not shown).
    SubmissionsLoading,
    /// The submissions list is not shown (signed out).
    SubmissionsOff,
    /// The submissions list arrived.
    SubmissionsLoaded(Vec<SubmissionSummary>),
    /// The submissions list could not be fetched.
    SubmissionsFailed(String),
    /// Put a submission's code into the editor, in its language; the code it replaces is
    /// kept to bring back.
    OpenSubmission {
        /// The submission's id.
        id: String,
        /// Its language.
        language: Language,
        /// Its source.
        source: String,
    },
    /// A submission could not be opened.
    OpenFailed(String),
    /// Bring back the code in the current language (and the own tests) that opening a
    /// submission or a share link replaced.
    RestoreDraft,
    /// Fill the page from a share link (nothing runs); the learner's code and own tests
    /// it replaces are kept to bring back.
    OpenShare {
        /// The shared code's language.
        language: Language,
        /// The shared code.
        code: String,
        /// The shared own tests (one JSON text per parameter each).
        tests: Vec<SavedTest>,
    },
    /// A share link could not be opened, for this reason (nothing else changes).
    ShareFailed(String),
}

impl ProblemState {
    /// The page's state for `problem`, in `language`, with code from `draft` where there is
    /// a draft (starter code otherwise), the learner's saved own tests, and whether the
    /// problem was solved before.
    pub fn new(
        problem: &PublicProblem,
        language: Language,
        draft: impl Fn(Language) -> Option<String>,
        saved_tests: Vec<SavedTest>,
        solved: bool,
    ) -> Self {
        let starters: BTreeMap<Language, String> = Language::ALL
            .into_iter()
            .map(|l| (l, starter_for(&problem.meta, l)))
            .collect();
        let code = Language::ALL
            .into_iter()
            .map(|l| (l, draft(l).unwrap_or_else(|| starters[&l].clone())))
            .collect();
        let params = problem.meta.params.clone();
        let example_args = match problem.tests.first() {
            Some(t) => t
                .test
                .args
                .iter()
                .map(|v| serde_json::to_string(v).unwrap_or_else(|_| "null".into()))
                .collect(),
            None => vec!["null".to_owned(); params.len()],
        };
        let tests: Vec<CustomTest> = saved_tests
            .into_iter()
            .zip(0..)
            .map(|(saved, id)| {
                let mut args = saved.args;
                args.resize(params.len(), String::new());
                CustomTest {
                    id,
                    args,
                    expected: saved.expected,
                }
            })
            .collect();
        ProblemState {
            problem_id: problem.id.clone(),
            examples: problem.tests.len(),
            example_args,
            language,
            starters,
            next_test_id: tests.len() as u32,
            tests,
            params,
            code,
            run: RunState::Idle,
            finished_runs: 0,
            run_blocked: None,
            solved,
            grader: false,
            submissions: Listing::Off,
            submissions_version: 0,
            opened: None,
            replaced_drafts: BTreeMap::new(),
            open_error: None,
            shared: None,
            shared_tests: None,
            replaced_tests: None,
            share_error: None,
        }
    }

    /// The same state, knowing whether Submit has a grader (see [`solves`]).
    pub fn with_grader(mut self, grader: bool) -> Self {
        self.grader = grader;
        self
    }

    /// The code in the current language.
    pub fn current_code(&self) -> &str {
        self.code.get(&self.language).map_or("", String::as_str)
    }

    /// Whether the current language's code is its starter code.
    pub fn is_starter(&self, language: Language) -> bool {
        self.code.get(&language) == self.starters.get(&language)
    }

    /// Whether `language`'s code is what a share link or an opened submission put there,
    /// unedited: not the learner's own.
    fn is_foreign(&self, language: Language, text: &str) -> bool {
        self.is_shared(language, text)
            || self
                .opened
                .as_ref()
                .is_some_and(|(_, l, t)| *l == language && t == text)
    }

    /// Whether `text` in `language` is the code a share link brought, unedited.
    fn is_shared(&self, language: Language, text: &str) -> bool {
        self.shared.as_ref().is_some_and(|(l, t)| *l == language && t == text)
    }

    /// Keeps the learner's code in `language` to bring back, before `incoming` replaces it
    /// (unless it is the starter code, the same text, or not the learner's own).
    fn keep_replaced(&mut self, language: Language, incoming: &str) {
        let current = self.code.get(&language).cloned().unwrap_or_default();
        if current != incoming && !self.is_foreign(language, &current) && !self.is_starter(language) {
            self.replaced_drafts.insert(language, current);
        }
    }

    /// Whether the current language's code is a share link's, unedited: the autosave
    /// leaves the learner's stored draft alone then.
    pub fn shows_shared_code(&self) -> bool {
        self.is_shared(self.language, self.current_code())
    }

    /// Whether the own tests are a share link's, unedited (not saved over the learner's).
    pub fn shows_shared_tests(&self) -> bool {
        self.shared_tests.as_ref().is_some_and(|t| *t == self.saved_tests())
    }

    /// Whether there is something to bring back (code in the current language, or tests).
    pub fn can_restore(&self) -> bool {
        self.replaced_drafts.contains_key(&self.language) || self.replaced_tests.is_some()
    }

    /// Whether a run or submission is in progress.
    pub fn is_running(&self) -> bool {
        matches!(self.run, RunState::Running(_))
    }

    /// The own tests as they are kept in local storage.
    pub fn saved_tests(&self) -> Vec<SavedTest> {
        self.tests.iter().map(CustomTest::saved).collect()
    }

    /// What a run grades against: the public tests, then the learner's own tests; or the
    /// first thing wrong with an own test.
    pub fn tests_to_run(&self, public: &[PublicTest]) -> Result<Vec<TestCase>, String> {
        let mut tests: Vec<TestCase> = public.iter().map(|t| t.test.clone()).collect();
        for (n, test) in self.tests.iter().enumerate() {
            let case = test
                .to_test_case(&self.params)
                .map_err(|e| format!("Your test {}: {e}", n + 1))?;
            tests.push(case);
        }
        Ok(tests)
    }

    /// Applies an action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::SetLanguage(language) => self.language = language,
            Action::Edit { language, code } => {
                self.code.insert(language, code);
            }
            Action::ResetCode => {
                if let Some(starter) = self.starters.get(&self.language) {
                    self.code.insert(self.language, starter.clone());
                }
            }
            Action::AddTest => {
                self.tests.push(CustomTest {
                    id: self.next_test_id,
                    args: self.example_args.clone(),
                    expected: String::new(),
                });
                self.next_test_id += 1;
            }
            Action::EditArg { id, param, text } => {
                if let Some(slot) = self
                    .tests
                    .iter_mut()
                    .find(|t| t.id == id)
                    .and_then(|t| t.args.get_mut(param))
                {
                    *slot = text;
                }
                self.run_blocked = None;
            }
            Action::EditExpected { id, text } => {
                if let Some(test) = self.tests.iter_mut().find(|t| t.id == id) {
                    test.expected = text;
                }
                self.run_blocked = None;
            }
            Action::DeleteTest(id) => {
                self.tests.retain(|t| t.id != id);
                self.run_blocked = None;
            }
            Action::RunBlocked(reason) => {
                self.run_blocked = Some(reason);
                // The last run's results are for tests that are not the ones now typed:
                // not shown next to the reason this run did not start.
                if !self.is_running() && self.run != RunState::Idle {
                    self.run = RunState::Idle;
                    self.finished_runs += 1;
                }
            }
            Action::RunStarted(kind) => {
                self.run_blocked = None;
                self.run = RunState::Running(kind);
            }
            Action::RunFinished(outcome) => {
                if let Outcome::Graded { kind, report } = &outcome {
                    if let Some(solved) = solves(*kind, report, self.examples, self.grader) {
                        self.solved = solved;
                    }
                    if *kind == RunKind::Submit {
                        self.submissions_version += 1;
                    }
                }
                self.run = RunState::Finished(outcome);
                self.run_blocked = None;
                self.finished_runs += 1;
            }
            Action::SubmissionsLoading => {
                // A list already shown stays while it is fetched again.
                if !matches!(self.submissions, Listing::Ready(_)) {
                    self.submissions = Listing::Loading;
                }
            }
            Action::SubmissionsOff => self.submissions = Listing::Off,
            Action::SubmissionsLoaded(list) => self.submissions = Listing::Ready(list),
            Action::SubmissionsFailed(message) => self.submissions = Listing::Failed(message),
            Action::OpenSubmission { id, language, source } => {
                self.keep_replaced(language, &source);
                self.code.insert(language, source.clone());
                self.language = language;
                self.opened = Some((id, language, source));
                self.open_error = None;
            }
            Action::OpenFailed(message) => self.open_error = Some(message),
            Action::RestoreDraft => {
                if let Some(code) = self.replaced_drafts.remove(&self.language) {
                    self.code.insert(self.language, code);
                    self.opened = None;
                }
                if let Some(tests) = self.replaced_tests.take() {
                    self.tests = tests;
                }
                self.run_blocked = None;
            }
            Action::OpenShare { language, code, tests } => self.open_share(language, code, tests),
            Action::ShareFailed(message) => self.share_error = Some(message),
        }
    }
}

impl ProblemState {
    /// Fills the page from a share link, or sets `share_error` (and changes nothing else)
    /// when its tests do not fit the problem's parameters.
    fn open_share(&mut self, language: Language, code: String, tests: Vec<SavedTest>) {
        let params = self.params.len();
        if let Some((n, t)) = tests.iter().enumerate().find(|(_, t)| t.args.len() != params) {
            self.share_error = Some(format!(
                "This share link's test {} has {} arguments; this problem takes {params}.",
                n + 1,
                t.args.len()
            ));
            return;
        }
        self.keep_replaced(language, &code);
        let current = self.saved_tests();
        if !current.is_empty() && current != tests && self.replaced_tests.is_none() && !self.shows_shared_tests() {
            self.replaced_tests = Some(self.tests.clone());
        }
        self.tests = tests
            .iter()
            .zip(self.next_test_id..)
            .map(|(t, id)| CustomTest {
                id,
                args: t.args.clone(),
                expected: t.expected.clone(),
            })
            .collect();
        self.next_test_id += tests.len() as u32;
        self.shared_tests = Some(tests);
        self.code.insert(language, code.clone());
        self.language = language;
        self.shared = Some((language, code));
        self.share_error = None;
        self.run_blocked = None;
    }
}

/// What a report says of the problem's solved mark: `Some(true)` to set it, `Some(false)`
/// to clear it, `None` to leave it. A graded submission sets it when the grader accepted it
/// and clears it otherwise. A run that accepted every example (the first `examples` tests)
/// sets it only when there is no grader (`grader` false): with one, passing the visible
/// examples is not solving the problem (a hard-coded answer would do), so only Submit
/// decides. A run never clears it.
pub fn solves(kind: RunKind, report: &GradeReport, examples: usize, grader: bool) -> Option<bool> {
    match kind {
        RunKind::Submit => Some(report.verdict == Verdict::Accepted),
        RunKind::Run if grader => None,
        RunKind::Run => {
            let accepted = report.error.is_none()
                && examples > 0
                && report.tests.len() >= examples
                && report.tests[..examples].iter().all(|t| t.verdict == Verdict::Accepted);
            accepted.then_some(true)
        }
    }
}

#[cfg(target_arch = "wasm32")]
impl yew::Reducible for ProblemState {
    type Action = Action;

    fn reduce(self: std::rc::Rc<Self>, action: Action) -> std::rc::Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        std::rc::Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polyrun_core::grading::{Grading, Session, SessionEnd};
    use polyrun_core::problem::{Difficulty, ProblemMeta};
    use polyrun_core::protocol::{Item, Record};
    use polyrun_core::{CompareMode, ErrorInfo};
    use serde_json::json;

    fn problem() -> PublicProblem {
        PublicProblem {
            id: "two-sum".into(),
            meta: ProblemMeta {
                title: "Two Sum".into(),
                difficulty: Difficulty::Easy,
                tags: vec!["array".into()],
                function: "two_sum".into(),
                params: vec!["nums".into(), "target".into()],
                compare: CompareMode::Exact,
                tolerance: 1e-6,
                time_limit_ms: 2000,
                memory_limit_mb: 256,
            },
            statement: "# Two Sum".into(),
            tests: vec![
                PublicTest {
                    index: 0,
                    test: TestCase {
                        args: vec![json!([2, 7, 11, 15]), json!(9)],
                        expected: Some(json!([0, 1])),
                        hidden: false,
                        name: Some("example 1".into()),
                    },
                },
                PublicTest {
                    index: 1,
                    test: TestCase {
                        args: vec![json!([3, 3]), json!(6)],
                        expected: Some(json!([0, 1])),
                        hidden: false,
                        name: None,
                    },
                },
            ],
        }
    }

    #[test]
    fn drafts_win_over_starter_code() {
        let p = problem();
        let state = ProblemState::new(
            &p,
            Language::Ruby,
            |l| (l == Language::Ruby).then(|| "def two_sum(a, b) = [0, 1]".to_owned()),
            vec![],
            false,
        );
        assert_eq!(state.current_code(), "def two_sum(a, b) = [0, 1]");
        assert_eq!(state.code[&Language::Python], "def two_sum(nums, target):\n    pass\n");
        assert!(state.is_starter(Language::Javascript));
        assert!(!state.is_starter(Language::Ruby));
    }

    #[test]
    fn edits_switches_and_reset() {
        let p = problem();
        let mut state = ProblemState::new(&p, Language::Python, |_| None, vec![], false);
        state.apply(Action::Edit {
            language: Language::Python,
            code: "x".into(),
        });
        state.apply(Action::SetLanguage(Language::Javascript));
        assert_eq!(state.current_code(), "function twoSum(nums, target) {\n}\n");
        state.apply(Action::Edit {
            language: Language::Javascript,
            code: "y".into(),
        });
        state.apply(Action::ResetCode);
        assert!(state.is_starter(Language::Javascript));
        assert_eq!(state.code[&Language::Python], "x");
    }

    #[test]
    fn opening_a_submission_keeps_the_draft_to_bring_back() {
        let p = problem();
        let mut state = ProblemState::new(&p, Language::Ruby, |_| Some("mine".to_owned()), vec![], false);
        state.apply(Action::OpenSubmission {
            id: "a".into(),
            language: Language::Python,
            source: "first".into(),
        });
        assert_eq!(state.language, Language::Python);
        assert_eq!(state.current_code(), "first");
        state.apply(Action::OpenSubmission {
            id: "b".into(),
            language: Language::Python,
            source: "second".into(),
        });
        assert_eq!(state.replaced_drafts[&Language::Python], "mine");
        state.apply(Action::Edit {
            language: Language::Python,
            code: "second, edited".into(),
        });
        state.apply(Action::OpenSubmission {
            id: "c".into(),
            language: Language::Python,
            source: "third".into(),
        });
        assert_eq!(state.replaced_drafts[&Language::Python], "second, edited");
        state.apply(Action::RestoreDraft);
        assert_eq!(state.current_code(), "second, edited");
        assert!(state.replaced_drafts.is_empty());
        assert_eq!(state.opened, None);

        state.apply(Action::SubmissionsLoading);
        assert_eq!(state.submissions, Listing::Loading);
        state.apply(Action::SubmissionsLoaded(vec![]));
        state.apply(Action::SubmissionsLoading);
        assert_eq!(state.submissions, Listing::Ready(vec![]));
    }

    fn saved(args: [&str; 2], expected: &str) -> SavedTest {
        SavedTest {
            args: args.map(str::to_owned).to_vec(),
            expected: expected.to_owned(),
        }
    }

    #[test]
    fn a_share_fills_the_page_and_keeps_the_draft_and_tests_to_bring_back() {
        let p = problem();
        let mine = vec![saved(["[1]", "1"], "")];
        let mut state = ProblemState::new(
            &p,
            Language::Ruby,
            |l| (l == Language::Python).then(|| "mine".to_owned()),
            mine.clone(),
            false,
        );
        let theirs = vec![saved(["[5, 5]", "10"], "[0, 1]"), saved(["[1, 2]", "3"], "")];
        state.apply(Action::OpenShare {
            language: Language::Python,
            code: "theirs".into(),
            tests: theirs.clone(),
        });
        assert_eq!((state.language, state.current_code()), (Language::Python, "theirs"));
        assert_eq!(state.saved_tests(), theirs);
        assert_eq!(state.run, RunState::Idle, "nothing runs");
        assert!(
            state.shows_shared_code() && state.shows_shared_tests(),
            "not saved over the learner's"
        );
        assert!(state.can_restore());
        // Editing makes them the learner's (saved again), with the old ones still to bring back.
        state.apply(Action::Edit {
            language: Language::Python,
            code: "theirs, edited".into(),
        });
        assert!(!state.shows_shared_code());
        state.apply(Action::AddTest);
        assert!(!state.shows_shared_tests());
        state.apply(Action::RestoreDraft);
        assert_eq!(state.current_code(), "mine");
        assert_eq!(state.saved_tests(), mine);
        assert!(!state.can_restore());
        assert_eq!(state.share_error, None);
    }

    #[test]
    fn a_share_over_starter_code_has_nothing_to_bring_back() {
        let p = problem();
        let mut state = ProblemState::new(&p, Language::Python, |_| None, vec![], false);
        state.apply(Action::OpenShare {
            language: Language::Python,
            code: "theirs".into(),
            tests: vec![],
        });
        assert_eq!(state.current_code(), "theirs");
        assert!(!state.can_restore());
        // A second link over the first's unedited code: still nothing of the learner's.
        state.apply(Action::OpenShare {
            language: Language::Python,
            code: "again".into(),
            tests: vec![],
        });
        assert!(state.replaced_drafts.is_empty());
    }

    #[test]
    fn a_share_whose_tests_do_not_fit_changes_nothing() {
        let p = problem();
        let mut state = ProblemState::new(
            &p,
            Language::Ruby,
            |_| Some("mine".to_owned()),
            vec![saved(["[1]", "1"], "")],
            false,
        );
        let before = state.clone();
        state.apply(Action::OpenShare {
            language: Language::Python,
            code: "theirs".into(),
            tests: vec![SavedTest {
                args: vec!["1".into()],
                expected: String::new(),
            }],
        });
        let error = state.share_error.take().expect("an error");
        assert!(
            error.contains("test 1 has 1 arguments; this problem takes 2"),
            "{error}"
        );
        assert_eq!(state, before);
        state.apply(Action::ShareFailed("damaged".into()));
        assert_eq!(state.share_error.as_deref(), Some("damaged"));
        assert_eq!(state.current_code(), "mine");
    }

    #[test]
    fn own_tests_are_validated_and_appended() {
        let p = problem();
        let mut state = ProblemState::new(&p, Language::Python, |_| None, vec![], false);
        state.apply(Action::AddTest);
        assert_eq!(state.tests[0].args, vec!["[2,7,11,15]".to_owned(), "9".to_owned()]);
        let id = state.tests[0].id;
        state.apply(Action::EditArg {
            id,
            param: 1,
            text: "[1,".into(),
        });
        assert!(state.tests[0].arg_error(1).unwrap().starts_with("not valid JSON"));
        let err = state.tests_to_run(&p.tests).unwrap_err();
        assert!(err.starts_with("Your test 1: target: not valid JSON"), "{err}");
        state.apply(Action::EditArg {
            id,
            param: 1,
            text: "4".into(),
        });
        state.apply(Action::EditExpected { id, text: " ".into() });
        let tests = state.tests_to_run(&p.tests).unwrap();
        assert_eq!(tests.len(), 3);
        assert_eq!(tests[2].args, vec![json!([2, 7, 11, 15]), json!(4)]);
        assert_eq!(tests[2].expected, None);
        state.apply(Action::EditExpected { id, text: "[0]".into() });
        assert_eq!(state.tests_to_run(&p.tests).unwrap()[2].expected, Some(json!([0])));
        state.apply(Action::AddTest);
        assert_eq!(state.tests.len(), 2);
        assert_ne!(state.tests[1].id, id);
        state.apply(Action::DeleteTest(id));
        assert_eq!(state.tests.len(), 1);

        let saved = state.saved_tests();
        let again = ProblemState::new(&p, Language::Python, |_| None, saved, false);
        assert_eq!(again.tests[0].args, state.tests[0].args);
        assert!(parse_json_input("", true).is_err());
        assert_eq!(parse_json_input("null", true), Ok(Some(Value::Null)));
    }

    #[test]
    fn a_blocked_run_does_not_leave_the_last_results_shown() {
        let p = problem();
        let mut state = ProblemState::new(&p, Language::Python, |_| None, vec![], false);
        let report = Grading::with_tests(&p.to_problem(), Language::Python, "src", vec![]).report(1.0);
        state.apply(Action::RunFinished(Outcome::Graded {
            kind: RunKind::Run,
            report,
        }));
        let drawn = state.finished_runs;
        state.apply(Action::RunBlocked("Your test 1: nums: not valid JSON".into()));
        assert_eq!(state.run, RunState::Idle, "the results of other tests are gone");
        assert!(state.finished_runs > drawn, "the panel is drawn afresh");
        assert!(state.run_blocked.is_some());
        // While a run is in flight, a blocked second run leaves it alone.
        state.apply(Action::RunStarted(RunKind::Run));
        state.apply(Action::RunBlocked("again".into()));
        assert!(state.is_running());
    }

    #[test]
    fn a_run_that_accepts_every_example_solves() {
        let p = problem();
        let mut state = ProblemState::new(&p, Language::Python, |_| None, vec![], false);
        state.apply(Action::AddTest);
        let tests = state.tests_to_run(&p.tests).unwrap();
        let mut grading = Grading::with_tests(&p.to_problem(), Language::Python, "src", tests);
        let input = grading.next_input().unwrap();
        assert_eq!(input.function, "two_sum");
        let mut items = vec![Item::Record(Record::Loaded)];
        for (index, value) in [(0, json!([0, 1])), (1, json!([0, 1])), (2, json!("anything"))] {
            items.push(Item::Record(Record::Start { index }));
            items.push(Item::Record(Record::returned(index, &value, 0.1)));
        }
        items.push(Item::Record(Record::Done));
        grading.absorb(Session {
            items,
            end: SessionEnd::Exited(0),
        });
        assert!(grading.next_input().is_none());
        let report = grading.report(1.0);
        assert_eq!(report.verdict, Verdict::Accepted);
        assert_eq!(solves(RunKind::Run, &report, state.examples, false), Some(true));
        state.apply(Action::RunFinished(Outcome::Graded {
            kind: RunKind::Run,
            report: report.clone(),
        }));
        assert!(state.solved);

        // With a grader, passing the examples is not enough: only Submit decides.
        assert_eq!(solves(RunKind::Run, &report, state.examples, true), None);
        let mut graded = ProblemState::new(&p, Language::Python, |_| None, vec![], false).with_grader(true);
        graded.apply(Action::RunFinished(Outcome::Graded {
            kind: RunKind::Run,
            report: report.clone(),
        }));
        assert!(!graded.solved, "a run does not solve it when there is a grader");
        graded.apply(Action::RunFinished(Outcome::Graded {
            kind: RunKind::Submit,
            report: report.clone(),
        }));
        assert!(graded.solved, "an accepted submission does");

        let mut failing = Grading::with_tests(&p.to_problem(), Language::Python, "src", p.to_problem().tests);
        failing.absorb(Session {
            items: vec![Item::Record(Record::CompileError {
                error: ErrorInfo::new("SyntaxError", "invalid syntax"),
            })],
            end: SessionEnd::Exited(1),
        });
        let report = failing.report(1.0);
        assert_eq!(report.verdict, Verdict::CompileError);
        assert_eq!(solves(RunKind::Run, &report, 2, false), None);
        // A submission the grader did not accept clears the mark, with or without a grader.
        assert_eq!(solves(RunKind::Submit, &report, 2, false), Some(false));
        state.apply(Action::RunFinished(Outcome::Graded {
            kind: RunKind::Submit,
            report,
        }));
        assert!(!state.solved);
        state.apply(Action::RunStarted(RunKind::Run));
        assert!(state.is_running());
        state.apply(Action::RunFinished(Outcome::Stopped { kind: RunKind::Run }));
        assert!(!state.is_running());
        assert_eq!(state.run, RunState::Finished(Outcome::Stopped { kind: RunKind::Run }));
    }
}
