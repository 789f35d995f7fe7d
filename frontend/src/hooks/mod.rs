//! The app's hooks: the shared sandbox and runtime states, the signed-in session, loading
//! the static problem files, and saving drafts as the learner types.

mod account;
mod autosave;
mod load;
mod sandbox;

pub use account::{recheck, sign_in, use_account, use_grader};
pub use autosave::use_autosave;
pub use load::{Load, use_problem, use_problem_index};
pub use sandbox::{use_runtime, use_sandbox};
