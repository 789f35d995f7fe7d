//! The app's services: the static problem files, problem packs (by URL or file), local
//! storage (drafts, own tests, solved problems, the last language, the signed-in session,
//! the loaded packs) and the optional grader (submit, sign in, submissions, gradebook).

pub mod grader;
pub mod packs;
pub mod problems;
pub mod storage;
