//! The one host-state type stored in each sandbox's `Store`: the WASI context, the memory
//! limiter that records a hit, and the small handle table ruby.wasm's imports need.

use wasmtime::{Engine, ResourceLimiter, Store};
use wasmtime_wasi::p1::WasiP1Ctx;

/// Per-sandbox state.
pub struct HostState {
    /// WASI preview 1: no environment, no directories, stdin from memory, capped output.
    pub wasi: WasiP1Ctx,
    /// Memory limits.
    pub limits: MemoryLimits,
    /// ruby.wasm's `rb-abi-value` handles: index → guest representation.
    pub handles: Vec<Option<i32>>,
}

impl HostState {
    /// A store for one instance: `wasi`, and linear memory capped at `memory_cap` bytes.
    pub fn store(engine: &Engine, wasi: WasiP1Ctx, memory_cap: usize) -> Store<HostState> {
        let state = HostState {
            wasi,
            limits: MemoryLimits::new(memory_cap),
            handles: Vec::new(),
        };
        let mut store = Store::new(engine, state);
        store.limiter(|s| &mut s.limits);
        store
    }
}

/// Told each new peak of a session's linear memory, in bytes.
pub type PeakReport = Box<dyn FnMut(usize) + Send>;

/// A `ResourceLimiter` that traps a sandbox growing past its memory cap and records it.
pub struct MemoryLimits {
    /// Largest linear memory allowed, in bytes.
    pub cap: usize,
    /// Whether the cap was hit.
    pub hit: bool,
    /// Largest size the memory reached, in bytes.
    pub peak: usize,
    /// Hears each new peak (a sandbox process tells the grader, which may kill it any time).
    pub on_peak: Option<PeakReport>,
}

impl MemoryLimits {
    /// Limits with a cap of `cap` bytes.
    pub fn new(cap: usize) -> Self {
        MemoryLimits {
            cap,
            hit: false,
            peak: 0,
            on_peak: None,
        }
    }
}

/// Error a memory grow past the cap traps with.
#[derive(Debug, thiserror::Error)]
#[error("memory limit exceeded")]
pub struct MemoryLimitHit;

impl ResourceLimiter for MemoryLimits {
    fn memory_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        if maximum.is_some_and(|m| desired > m) {
            return Ok(false);
        }
        if desired > self.cap {
            self.hit = true;
            return Err(wasmtime::Error::new(MemoryLimitHit));
        }
        if desired > self.peak {
            self.peak = desired;
            if let Some(report) = &mut self.on_peak {
                report(desired);
            }
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000 && maximum.is_none_or(|m| desired <= m))
    }
}
