//! Running a submission in the grader and turning polyrun's run report into Judge0's
//! status, message, exit code and times.

use std::time::SystemTime;

use polyrun_core::report::{RunReport, RunStatus};
use polyrun_grader::Limits;

use super::compare;
use super::model::Status;
use super::request::NewSubmission;
use super::store::Outcome;
use crate::http::admission::Admitted;

/// The signal Judge0 reports for a program killed at a limit (SIGKILL).
const SIGKILL: i32 = 9;

/// Runs `submission` once, in the place it was `admitted` to, when its turn comes and
/// `ready` (its claim) says yes; `None` when it says no. A failure of the grader itself is
/// status 13 (Internal Error).
pub async fn execute(
    admitted: &Admitted,
    submission: &NewSubmission,
    ready: impl Future<Output = bool>,
) -> Option<Outcome> {
    let limits = Limits::new(submission.limits.time_limit_ms(), submission.limits.memory_limit_mb());
    let run = admitted
        .run_program_if(
            submission.language.language,
            &submission.source,
            submission.stdin.clone().unwrap_or_default(),
            limits,
            ready,
        )
        .await;
    Some(match run {
        Ok(Some(Ok(report))) => judge(report, submission.expected_output.as_deref()),
        Ok(Some(Err(e))) => internal_error(e.to_string()),
        Ok(None) => return None,
        Err(e) => internal_error(e.to_string()),
    })
}

/// Status 13 with `message`.
pub fn internal_error(message: String) -> Outcome {
    Outcome {
        status: Status::INTERNAL_ERROR,
        stdout: String::new(),
        stderr: String::new(),
        exit_code: None,
        exit_signal: None,
        message: Some(message),
        time_ms: None,
        memory_kb: None,
        finished_at: SystemTime::now(),
    }
}

/// Judge0's verdict on a run: a limit first, then the exit status, then the output.
pub fn judge(report: RunReport, expected_output: Option<&str>) -> Outcome {
    let (status, exit_code, exit_signal, message) = match report.status {
        RunStatus::TimeLimitExceeded => (
            Status::TIME_LIMIT_EXCEEDED,
            None,
            Some(SIGKILL),
            Some("Time limit exceeded".to_owned()),
        ),
        RunStatus::MemoryLimitExceeded => (
            Status::RUNTIME_ERROR_OTHER,
            None,
            Some(SIGKILL),
            Some("Memory limit exceeded".to_owned()),
        ),
        RunStatus::Ok if report.exit_code != 0 => (
            Status::RUNTIME_ERROR_NZEC,
            Some(report.exit_code),
            None,
            Some(format!("Exited with error status {}", report.exit_code)),
        ),
        RunStatus::Ok => {
            let right = expected_output.is_none_or(|expected| compare::matches(expected, &report.stdout));
            let status = if right { Status::ACCEPTED } else { Status::WRONG_ANSWER };
            (status, Some(0), None, None)
        }
    };
    Outcome {
        status,
        stdout: report.stdout,
        stderr: report.stderr,
        exit_code,
        exit_signal,
        message,
        time_ms: Some(report.time_ms),
        memory_kb: report.memory_kb,
        finished_at: SystemTime::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(status: RunStatus, exit_code: i32, stdout: &str) -> RunReport {
        RunReport {
            stdout: stdout.into(),
            stderr: String::new(),
            exit_code,
            time_ms: 12.0,
            status,
            memory_kb: None,
        }
    }

    #[test]
    fn limits_come_before_the_exit_status_and_the_exit_status_before_the_output() {
        let tle = judge(report(RunStatus::TimeLimitExceeded, 124, ""), Some("x"));
        assert_eq!((tle.status.id, tle.exit_signal), (5, Some(9)));
        let mle = judge(report(RunStatus::MemoryLimitExceeded, 137, ""), None);
        assert_eq!(mle.status.id, 12);
        assert!(
            mle.message
                .as_deref()
                .is_some_and(|m| m.contains("Memory limit exceeded"))
        );
        let nzec = judge(report(RunStatus::Ok, 3, "x\n"), Some("x"));
        assert_eq!((nzec.status.id, nzec.exit_code), (11, Some(3)));
        assert_eq!(nzec.message.as_deref(), Some("Exited with error status 3"));
    }

    #[test]
    fn exit_zero_is_accepted_unless_the_output_differs() {
        assert_eq!(judge(report(RunStatus::Ok, 0, "1 \n\n"), Some("1")).status.id, 3);
        assert_eq!(judge(report(RunStatus::Ok, 0, "anything"), None).status.id, 3);
        let wrong = judge(report(RunStatus::Ok, 0, "2\n"), Some("1"));
        assert_eq!((wrong.status.id, wrong.exit_code, wrong.message), (4, Some(0), None));
    }
}
