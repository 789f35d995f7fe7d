//! The app's pages: the welcome page with the problem list, a problem (built-in or from a
//! pack), signing in, the gradebook, and "not found".

pub mod gradebook;
pub mod not_found;
pub mod pack;
pub mod playground;
pub mod problem;
pub mod signin;
pub mod welcome;
