//! The web app's entry point: mounts the Yew app in the browser (a no-op on the host, where
//! only the crate's pure parts are built and tested).

fn main() {
    #[cfg(target_arch = "wasm32")]
    frontend::start();
}
