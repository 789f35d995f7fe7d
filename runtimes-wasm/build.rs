//! Gives the QuickJS engine an 8 MiB C stack on WASI (the default 1 MiB ends recursion
//! at about 3,000 JavaScript frames; polyrun promises about 10,000).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("wasi") {
        println!("cargo:rustc-link-arg-bin=polyrun-js=-zstack-size=8388608");
    }
}
