//! The app's services: the static problem files, local storage (drafts, own tests, solved
//! problems, the last language, the signed-in session) and the optional grader (submit,
//! sign in, submissions, gradebook).

pub mod grader;
pub mod problems;
pub mod storage;
