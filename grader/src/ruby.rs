//! Calling ruby.wasm's reactor exports from the host: strings and lists in its canonical
//! ABI (memory from `cabi_realloc`), `ruby-init` and `rb-eval-string-protect`.

use wasmtime::{Instance, Memory, Store};

use crate::host::HostState;

const INIT: &str = "ruby-init: func(args: list<string>) -> ()";
const EVAL: &str = "rb-eval-string-protect: func(str: string) -> tuple<handle<rb-abi-value>, s32>";

/// The error when an exception escapes the evaluated script.
#[derive(Debug, thiserror::Error)]
#[error("an exception escaped the ruby script (state {0})")]
pub struct RubyException(pub i32);

fn memory(store: &mut Store<HostState>, instance: &Instance) -> wasmtime::Result<Memory> {
    instance
        .get_memory(&mut *store, "memory")
        .ok_or_else(|| wasmtime::format_err!("ruby.wasm exports no memory"))
}

/// Copies `bytes` followed by a NUL into guest memory; returns the pointer and the length
/// counted with the NUL (as ruby.wasm's own JavaScript host does).
async fn put_string(store: &mut Store<HostState>, instance: &Instance, text: &str) -> wasmtime::Result<(i32, i32)> {
    let realloc = instance.get_typed_func::<(i32, i32, i32, i32), i32>(&mut *store, "cabi_realloc")?;
    let len = i32::try_from(text.len() + 1)?;
    let ptr = realloc.call_async(&mut *store, (0, 0, 1, len)).await?;
    let mem = memory(store, instance)?;
    mem.write(&mut *store, ptr as usize, text.as_bytes())?;
    mem.write(&mut *store, ptr as usize + text.len(), &[0])?;
    Ok((ptr, len))
}

/// `ruby-init` with these command-line arguments.
pub async fn init(store: &mut Store<HostState>, instance: &Instance, args: &[&str]) -> wasmtime::Result<()> {
    let realloc = instance.get_typed_func::<(i32, i32, i32, i32), i32>(&mut *store, "cabi_realloc")?;
    let mut pairs = Vec::with_capacity(args.len());
    for arg in args {
        pairs.push(put_string(store, instance, arg).await?);
    }
    let list = realloc
        .call_async(&mut *store, (0, 0, 4, i32::try_from(args.len() * 8)?))
        .await?;
    let mem = memory(store, instance)?;
    for (i, (ptr, len)) in pairs.iter().enumerate() {
        let at = list as usize + i * 8;
        mem.write(&mut *store, at, &ptr.to_le_bytes())?;
        mem.write(&mut *store, at + 4, &len.to_le_bytes())?;
    }
    let init = instance.get_typed_func::<(i32, i32), ()>(&mut *store, INIT)?;
    init.call_async(&mut *store, (list, i32::try_from(args.len())?)).await
}

/// `rb-eval-string-protect` of `script`; an exception that escapes it is an error.
pub async fn eval(store: &mut Store<HostState>, instance: &Instance, script: &str) -> wasmtime::Result<()> {
    let (ptr, len) = put_string(store, instance, script).await?;
    let eval = instance.get_typed_func::<(i32, i32), i32>(&mut *store, EVAL)?;
    let ret = eval.call_async(&mut *store, (ptr, len)).await?;
    let mut state = [0u8; 4];
    memory(store, instance)?.read(&*store, ret as usize + 4, &mut state)?;
    match i32::from_le_bytes(state) {
        0 => Ok(()),
        other => Err(wasmtime::Error::new(RubyException(other))),
    }
}
