//! polyrun's service: the HTTP API (`/api/v1` and the Judge0-compatible subset), served on
//! a socket (`polyrun serve`) or through AWS Lambda (`polyrun lambda`), over the grader
//! library, which has no HTTP in it. The `polyrun` command line is this crate's binary.

pub mod authoring;
pub mod http;
pub mod lambda;
pub mod people;
pub mod serve;
