//! The app's services: the static problem files, local storage (drafts, own tests, solved
//! problems, the last language) and the optional grader.

pub mod grader;
pub mod problems;
pub mod storage;
