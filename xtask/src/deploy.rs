//! AWS Lambda: `cargo xtask package` builds the function's zip (a static musl `polyrun` as
//! `bootstrap`, the runtime modules, the problem bank) and `cargo xtask cfn-lint` checks
//! `deploy/template.yaml` (cfn-lint, pinned, in a venv under polyrun's cache folder, and
//! the environment variables it sets against those the code reads).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::{setup, util};

/// The Rust target of the function's binary: static, so it runs on `provided.al2023`
/// whatever its C library.
const MUSL_TARGET: &str = "x86_64-unknown-linux-musl";

/// The cfn-lint release used.
pub const CFN_LINT_VERSION: &str = "1.58.0";

/// The SAM template, relative to the workspace root.
const TEMPLATE: &str = "deploy/template.yaml";

/// Where the zip is written: the template's `CodeUri` names it (relative to `deploy/`), so
/// it is this checkout's `target/`, whatever `CARGO_TARGET_DIR` says.
pub fn zip_path() -> PathBuf {
    util::root().join("target").join("lambda").join("polyrun.zip")
}

/// Folders of the package (beside `bootstrap`), as the template's environment names them.
const RUNTIMES_DIR: &str = "runtimes";
const PROBLEMS_DIR: &str = "problems";

/// `cargo xtask package [--check]`: builds the zip; `--check` also starts the packaged
/// `bootstrap` as Lambda would (against a stand-in runtime API) and runs `polyrun check`
/// with the packaged binary, runtimes and problems.
pub fn package(args: &[String]) -> anyhow::Result<()> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => bail!("usage: cargo xtask package [--check]"),
    };
    setup::runtimes()?;
    setup::rustup_targets(&[MUSL_TARGET])?;
    // C code in dependencies needs a C compiler for musl.
    setup::apt(&["musl-tools"], "/usr/bin/musl-gcc")?;
    setup::apt(&["zip"], "/usr/bin/zip")?;

    util::step(&format!("cargo build --release -p service --target {MUSL_TARGET}"));
    let started = Instant::now();
    let target_env = MUSL_TARGET.replace('-', "_");
    util::run(
        util::cargo()
            .args([
                "build",
                "--release",
                "-p",
                "service",
                "--bin",
                "polyrun",
                "--target",
                MUSL_TARGET,
            ])
            .env(format!("CC_{target_env}"), "musl-gcc")
            .current_dir(util::root()),
    )?;
    eprintln!("    built in {:.0} s", started.elapsed().as_secs_f64());
    let binary = util::target_dir().join(MUSL_TARGET).join("release").join("polyrun");

    let staging = util::target_dir().join("lambda-package");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).with_context(|| format!("cannot clear {}", staging.display()))?;
    }
    std::fs::create_dir_all(staging.join(RUNTIMES_DIR))?;
    let bootstrap = staging.join("bootstrap");
    std::fs::copy(&binary, &bootstrap).with_context(|| format!("cannot copy {}", binary.display()))?;
    // Line tables only go; the symbols stay, for backtraces in the function's logs.
    if util::have("strip") {
        util::run(Command::new("strip").arg("--strip-debug").arg(&bootstrap))?;
    }
    set_executable(&bootstrap)?;
    check_static(&bootstrap)?;

    let artifacts = polyrun_runtimes::artifacts_dir();
    let python =
        polyrun_runtimes::python_component_file(polyrun_core::harness::PYTHON, polyrun_core::harness::PYTHON_RUNNER);
    let modules = polyrun_runtimes::PINNED
        .iter()
        .map(|r| r.artifact)
        .chain([polyrun_runtimes::JS_ENGINE_ARTIFACT, python.as_str()]);
    for module in modules {
        let from = artifacts.join(module);
        std::fs::copy(&from, staging.join(RUNTIMES_DIR).join(module))
            .with_context(|| format!("cannot copy {}", from.display()))?;
    }
    copy_dir(
        &artifacts.join(polyrun_runtimes::PYTHON_STDLIB_DIR),
        &staging.join(RUNTIMES_DIR).join(polyrun_runtimes::PYTHON_STDLIB_DIR),
    )?;
    copy_dir(&util::root().join("problems"), &staging.join(PROBLEMS_DIR))?;

    // As the function runs it: `bootstrap` with arguments is the usual command line...
    let version = util::output(Command::new(&bootstrap).arg("--version"))?;
    eprintln!("    bootstrap --version: {}", version.trim());
    // ...and with none it is `polyrun lambda`, which outside Lambda says so and stops.
    let out = Command::new(&bootstrap)
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .context("cannot run bootstrap")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() || !stderr.contains("AWS_LAMBDA_RUNTIME_API") {
        bail!("bootstrap with no arguments did not start `polyrun lambda`: {stderr}");
    }
    if check {
        let cache = util::target_dir().join("lambda-check-cache");
        util::step("bootstrap against a stand-in Lambda runtime API: POST /api/v1/run of a Python program");
        lambda_smoke(&staging, &cache)?;
        util::step("polyrun check with the package's binary, runtimes and problems");
        util::run(
            Command::new(&bootstrap)
                .arg("check")
                .env("POLYRUN_RUNTIMES", staging.join(RUNTIMES_DIR))
                .env("POLYRUN_PROBLEMS", staging.join(PROBLEMS_DIR))
                .env("POLYRUN_CACHE", &cache)
                .current_dir(&staging),
        )?;
    }

    let zip = zip_path();
    std::fs::create_dir_all(zip.parent().unwrap_or(Path::new(".")))?;
    let _ = std::fs::remove_file(&zip);
    util::step(&format!("zip {}", zip.display()));
    // Info-ZIP keeps the Unix modes (bootstrap stays executable); -X leaves out the
    // owner and time extras.
    util::run(
        Command::new("zip")
            .args(["-q", "-r", "-X", "-9"])
            .arg(&zip)
            .args(["bootstrap", RUNTIMES_DIR, PROBLEMS_DIR])
            .current_dir(&staging),
    )?;
    let unzipped = dir_size(&staging)?;
    let zipped = std::fs::metadata(&zip)?.len();
    eprintln!(
        "    {}: {:.1} MB ({:.1} MB unzipped; Lambda allows 250 MB unzipped)",
        zip.display(),
        mb(zipped),
        mb(unzipped)
    );
    Ok(())
}

/// Starts `bootstrap` as Lambda does (no arguments, the template's environment, and
/// `AWS_LAMBDA_RUNTIME_API` pointing at a stand-in served here), hands it one function-URL
/// event, a Python program to run, and checks the answer is a 200 with its output: the
/// static binary starts its sandbox process and the packaged runtimes load.
fn lambda_smoke(staging: &Path, cache: &Path) -> anyhow::Result<()> {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::mpsc;

    const EVENT: &str = r#"{"version":"2.0","routeKey":"$default","rawPath":"/api/v1/run","rawQueryString":"","headers":{"host":"smoke.lambda-url.eu-west-1.on.aws","content-type":"application/json"},"requestContext":{"accountId":"anonymous","apiId":"smoke","domainName":"smoke.lambda-url.eu-west-1.on.aws","domainPrefix":"smoke","http":{"method":"POST","path":"/api/v1/run","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"xtask"},"requestId":"smoke-1","routeKey":"$default","stage":"$default","time":"03/Dec/2026:00:00:00 +0000","timeEpoch":0},"body":"{\"language\":\"python\",\"source\":\"import os\\nprint(6 * 7, dict(os.environ))\"}","isBase64Encoded":false}"#;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        let mut handed_out = false;
        for stream in listener.incoming().flatten() {
            let tx = tx.clone();
            let event = !handed_out;
            handed_out = true;
            std::thread::spawn(move || -> std::io::Result<()> {
                let mut reader = BufReader::new(stream.try_clone()?);
                let mut stream = stream;
                let mut event = event;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    let mut length = 0;
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header)?;
                        if header.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body)?;
                    if line.starts_with("GET") && line.contains("/invocation/next") {
                        if !event {
                            // No second event: this request waits until the process is stopped.
                            std::thread::park();
                        }
                        event = false;
                        write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: smoke-1\r\nLambda-Runtime-Deadline-Ms: 99999999999999\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:eu-west-1:000000000000:function:smoke\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{EVENT}",
                            EVENT.len()
                        )?;
                    } else {
                        let _ = tx.send(format!("{} {}", line.trim(), String::from_utf8_lossy(&body)));
                        write!(stream, "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{{}}")?;
                    }
                }
            });
        }
    });
    let mut child = Command::new(staging.join("bootstrap"))
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "smoke")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "4096")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "smoke")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "smoke")
        .env("LAMBDA_TASK_ROOT", staging)
        .env("POLYRUN_RUNTIMES", staging.join(RUNTIMES_DIR))
        .env("POLYRUN_PROBLEMS", staging.join(PROBLEMS_DIR))
        .env("POLYRUN_CACHE", cache)
        // The template's table is not here: the smoke test keeps nothing.
        .env("POLYRUN_STORE", "memory")
        .current_dir(staging)
        .spawn()
        .context("cannot start bootstrap")?;
    let answer = rx.recv_timeout(std::time::Duration::from_secs(180));
    let _ = child.kill();
    let _ = child.wait();
    let answer = answer.context("bootstrap sent no answer to the stand-in runtime API")?;
    if !answer.contains("/invocation/smoke-1/response")
        || !answer.contains("\"statusCode\":200")
        || !answer.contains("42 {}")
    {
        bail!("unexpected answer from bootstrap: {answer}");
    }
    eprintln!("    answered: 200, the program printed 42 and saw no environment");
    Ok(())
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

#[cfg(unix)]
fn set_executable(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot chmod {}", path.display()))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// Fails unless `path` is a 64-bit x86-64 ELF executable with no program interpreter (a
/// static binary: nothing of the host's C library is needed).
fn check_static(path: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let interp =
        elf_has_interpreter(&bytes).with_context(|| format!("{} is not an x86-64 ELF file", path.display()))?;
    if interp {
        bail!("{} has a program interpreter: it is not static", path.display());
    }
    let described = util::output(Command::new("file").arg("-b").arg(path)).unwrap_or_default();
    eprintln!("    static: no program interpreter ({})", described.trim());
    Ok(())
}

/// Whether an ELF64 little-endian x86-64 image has a `PT_INTERP` program header; `None` for
/// anything else.
fn elf_has_interpreter(elf: &[u8]) -> Option<bool> {
    const PT_INTERP: u32 = 3;
    const EM_X86_64: u16 = 62;
    let u16_at = |at: usize| elf.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |at: usize| {
        elf.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let u64_at = |at: usize| {
        elf.get(at..at + 8)
            .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    };
    // Magic, 64-bit, little-endian.
    if elf.get(..6)? != b"\x7fELF\x02\x01" || u16_at(18)? != EM_X86_64 {
        return None;
    }
    let phoff = usize::try_from(u64_at(0x20)?).ok()?;
    let phentsize = usize::from(u16_at(0x36)?);
    let phnum = usize::from(u16_at(0x38)?);
    let mut interp = false;
    for i in 0..phnum {
        interp |= u32_at(phoff.checked_add(i.checked_mul(phentsize)?)?)? == PT_INTERP;
    }
    Some(interp)
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn dir_size(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            dir_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

/// `cargo xtask cfn-lint`: cfn-lint on the template, then its environment against the code.
pub fn lint() -> anyhow::Result<()> {
    let cfn_lint = install_cfn_lint()?;
    util::step(&format!("cfn-lint {CFN_LINT_VERSION} {TEMPLATE}"));
    util::run(Command::new(&cfn_lint).arg(TEMPLATE).current_dir(util::root()))?;
    util::step("the template's POLYRUN_* variables are read by the code");
    check_env_names()
}

/// The `cfn-lint` command of a venv with `CFN_LINT_VERSION`, made on first use.
fn install_cfn_lint() -> anyhow::Result<PathBuf> {
    setup::pip_tool("cfn-lint", CFN_LINT_VERSION, "cfn-lint")
}

/// Every `POLYRUN_*` variable the template sets must be a string literal in the source of
/// a crate the binary is built from (a renamed variable fails here, not on AWS).
fn check_env_names() -> anyhow::Result<()> {
    let root = util::root();
    let template = std::fs::read_to_string(root.join(TEMPLATE)).with_context(|| format!("cannot read {TEMPLATE}"))?;
    let names = template_env_names(&template);
    if names.is_empty() {
        bail!("{TEMPLATE} sets no POLYRUN_* variable");
    }
    let mut sources = String::new();
    for krate in ["service", "grader", "store", "core", "runtimes-wasm"] {
        read_rust_sources(&root.join(krate).join("src"), &mut sources)?;
    }
    let mut unread = Vec::new();
    for name in &names {
        if sources.contains(&format!("\"{name}\"")) {
            continue;
        }
        unread.push(name.as_str());
    }
    if !unread.is_empty() {
        bail!("{TEMPLATE} sets {unread:?}, which no code reads");
    }
    eprintln!("    {}", names.join(", "));
    Ok(())
}

/// The names of `POLYRUN_*: value` lines (the function's `Environment.Variables`).
fn template_env_names(template: &str) -> Vec<String> {
    let mut names: Vec<String> = template
        .lines()
        .filter_map(|line| line.trim().split_once(':'))
        .map(|(key, _)| key.trim())
        .filter(|key| key.starts_with("POLYRUN_") && key.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        .map(str::to_owned)
        .collect();
    names.dedup();
    names
}

fn read_rust_sources(dir: &Path, into: &mut String) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            read_rust_sources(&path, into)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push_str(&std::fs::read_to_string(&path)?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_are_the_polyrun_keys() {
        let template = "      Environment:\n        Variables:\n          POLYRUN_STORE: !Sub dynamodb:${Table}\n          # POLYRUN_NOT: a comment\n          POLYRUN_CACHE: /tmp/polyrun\n          OTHER: x\n";
        assert_eq!(template_env_names(template), ["POLYRUN_STORE", "POLYRUN_CACHE"]);
    }

    #[test]
    fn elf_interpreter_is_found() {
        let mut elf = vec![0u8; 0x40 + 2 * 56];
        elf[..6].copy_from_slice(b"\x7fELF\x02\x01");
        elf[18..20].copy_from_slice(&62u16.to_le_bytes());
        elf[0x20..0x28].copy_from_slice(&0x40u64.to_le_bytes());
        elf[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        elf[0x38..0x3a].copy_from_slice(&2u16.to_le_bytes());
        elf[0x40..0x44].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(elf_has_interpreter(&elf), Some(false));
        elf[0x40 + 56..0x40 + 60].copy_from_slice(&3u32.to_le_bytes());
        assert_eq!(elf_has_interpreter(&elf), Some(true));
        assert_eq!(elf_has_interpreter(b"#!/bin/sh\n"), None);
    }
}
