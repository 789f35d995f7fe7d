//! The app's pages: the welcome page with the problem list, a problem, and "not found".

pub mod not_found;
pub mod problem;
pub mod welcome;
