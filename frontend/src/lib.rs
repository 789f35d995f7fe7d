//! polyrun's web app: practise coding problems in Python, Ruby and JavaScript, with every
//! run graded in the browser exactly as the server's grader does (core's `Grading`).
//!
//! The pure parts (starter code, the problem page's reducer, Markdown rendering, filtering
//! the problem list, keyboard shortcuts, the theme choice) build on every target and are unit-tested on the host; the Yew app
//! itself (router, pages, components, hooks, browser services) is built for `wasm32` only.

pub mod account;
pub mod catalog;
pub mod hints;
pub mod markdown;
pub mod packs;
pub mod panic;
pub mod playground;
pub mod share;
pub mod shortcuts;
pub mod starter;
pub mod state;
pub mod theme;
pub mod units;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod hooks;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
mod sandbox;
#[cfg(target_arch = "wasm32")]
mod services;

#[cfg(target_arch = "wasm32")]
pub use app::start;
