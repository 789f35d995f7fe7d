//! A second wall behind wasm (Linux): the system calls a sandbox process never needs fail
//! with `EPERM`, so code that broke out of wasmtime still could not open a socket, start a
//! program or a process, read or signal another process, or reconfigure the system. A
//! sandbox process needs files (the runtimes, Python's standard library, the compile
//! cache), memory, threads and its two pipes, which all stay allowed.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule,
};

/// Calls refused whatever their arguments.
const DENIED: &[i64] = &[
    // The network.
    libc::SYS_socket,
    libc::SYS_socketpair,
    libc::SYS_connect,
    libc::SYS_bind,
    libc::SYS_listen,
    libc::SYS_accept,
    libc::SYS_accept4,
    // Other programs, and other processes' memory and signals.
    libc::SYS_execve,
    libc::SYS_execveat,
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_kill,
    libc::SYS_tkill,
    libc::SYS_pidfd_open,
    libc::SYS_pidfd_send_signal,
    libc::SYS_pidfd_getfd,
    libc::SYS_kcmp,
    // The system: mounts, namespaces, kernel programs and modules, keys, clocks.
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_chroot,
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_bpf,
    libc::SYS_perf_event_open,
    libc::SYS_userfaultfd,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_kexec_load,
    libc::SYS_reboot,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_open_by_handle_at,
    libc::SYS_name_to_handle_at,
    libc::SYS_personality,
    libc::SYS_acct,
    libc::SYS_settimeofday,
    libc::SYS_clock_settime,
    libc::SYS_sethostname,
    libc::SYS_setdomainname,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_fork,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_vfork,
];

fn condition(arg: u8, op: SeccompCmpOp, value: u64) -> Result<SeccompCondition, String> {
    SeccompCondition::new(arg, SeccompCmpArgLen::Qword, op, value).map_err(|e| e.to_string())
}

fn rule(conditions: Vec<SeccompCondition>) -> Result<Vec<SeccompRule>, String> {
    Ok(vec![SeccompRule::new(conditions).map_err(|e| e.to_string())?])
}

/// The two filters: the calls refused with `EPERM`, and `clone3` answered `ENOSYS` (its
/// flags are behind a pointer a filter cannot read; the C library then creates threads
/// with `clone`, whose flags the first filter checks).
fn filters() -> Result<[BpfProgram; 2], String> {
    let arch = std::env::consts::ARCH.try_into().map_err(|e| format!("{e}"))?;
    let me = u64::from(std::process::id());
    let mut refused: BTreeMap<i64, Vec<SeccompRule>> = DENIED.iter().map(|call| (*call, Vec::new())).collect();
    // A new process (a clone without CLONE_THREAD); threads stay allowed.
    let thread = libc::CLONE_THREAD as u64;
    refused.insert(
        libc::SYS_clone,
        rule(vec![condition(0, SeccompCmpOp::MaskedEq(thread), 0)?])?,
    );
    // Signals to a thread of another process (its own threads: `abort`, say).
    refused.insert(libc::SYS_tgkill, rule(vec![condition(0, SeccompCmpOp::Ne, me)?])?);
    refused.insert(
        libc::SYS_rt_tgsigqueueinfo,
        rule(vec![condition(0, SeccompCmpOp::Ne, me)?])?,
    );
    refused.insert(
        libc::SYS_rt_sigqueueinfo,
        rule(vec![condition(0, SeccompCmpOp::Ne, me)?])?,
    );
    let eperm = SeccompAction::Errno(libc::EPERM as u32);
    let refused = SeccompFilter::new(refused, SeccompAction::Allow, eperm, arch).map_err(|e| e.to_string())?;
    let clone3 = [(libc::SYS_clone3, Vec::new())].into_iter().collect();
    let enosys = SeccompAction::Errno(libc::ENOSYS as u32);
    let clone3 = SeccompFilter::new(clone3, SeccompAction::Allow, enosys, arch).map_err(|e| e.to_string())?;
    Ok([
        refused
            .try_into()
            .map_err(|e: seccompiler::BackendError| e.to_string())?,
        clone3
            .try_into()
            .map_err(|e: seccompiler::BackendError| e.to_string())?,
    ])
}

/// Confines this process, every thread of it, and every thread it starts later.
pub(crate) fn confine() -> Result<(), String> {
    for filter in filters()? {
        seccompiler::apply_filter_all_threads(&filter).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Confines the calling thread only (and the threads it starts).
#[cfg(test)]
fn confine_thread() -> Result<(), String> {
    for filter in filters()? {
        seccompiler::apply_filter(&filter).map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::ErrorKind;

    /// In a thread of its own (a filter without TSYNC binds only the thread that installs
    /// it): what a sandbox process needs still works, what it never needs is refused.
    #[test]
    fn a_confined_thread_keeps_files_and_threads_but_no_sockets_or_processes() {
        let outcome = std::thread::spawn(|| -> Result<(), String> {
            super::confine_thread()?;
            let file = std::env::current_exe().map_err(|e| e.to_string())?;
            std::fs::read(&file).map_err(|e| format!("reading a file: {e}"))?;
            let folder = tempfile::tempdir().map_err(|e| format!("a temporary folder: {e}"))?;
            std::fs::write(folder.path().join("x"), b"x").map_err(|e| format!("writing a file: {e}"))?;
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || tx.send(6 * 7))
                .join()
                .map_err(|_| "a thread panicked".to_string())?
                .map_err(|e| e.to_string())?;
            if rx.recv() != Ok(42) {
                return Err("a new thread did not run".into());
            }
            match std::net::TcpListener::bind("127.0.0.1:0") {
                Err(e) if e.kind() == ErrorKind::PermissionDenied => {}
                other => return Err(format!("a socket: {other:?}")),
            }
            match std::os::unix::net::UnixStream::pair() {
                Err(e) if e.kind() == ErrorKind::PermissionDenied => {}
                other => return Err(format!("a socket pair: {other:?}")),
            }
            match std::process::Command::new("/bin/true").status() {
                Err(_) => {}
                Ok(status) => return Err(format!("a program ran: {status}")),
            }
            Ok(())
        })
        .join()
        .expect("the confined thread");
        assert_eq!(outcome, Ok(()));
    }
}
