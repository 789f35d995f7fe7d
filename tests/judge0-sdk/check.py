"""The official Judge0 Python SDK (PyPI `judge0`) against a live `polyrun serve`.

Run by `cargo xtask test` (xtask/src/judge0_sdk.rs) with the SDK's pinned release:
`python check.py http://ADDR`. Each check is what a Judge0 client does; any mismatch
raises, and the script exits non-zero.
"""

import sys
import time

import judge0
from judge0 import Client, Status, Submission


def check(what, ok, detail):
    if not ok:
        raise AssertionError(f"{what}: {detail}")
    print(f"ok  {what}")


def main(endpoint):
    # The client reads /languages and /config_info as it is made.
    client = Client(endpoint)
    about = client.get_about()
    check("/about names a Judge0 version the SDK knows", about.get("version") == "1.13.1", about)
    ids = sorted(language.id for language in client.get_languages())
    check("/languages lists Python, Ruby and JavaScript", ids == [63, 71, 72], ids)
    check("/config_info parses", client.config.enable_wait_result, client.config)

    # Inputs that are not valid base64: the SDK's model decodes any field that is (it reads
    # "abcd" as base64 before sending it), with a real Judge0 as with this one.
    programs = [
        (judge0.PYTHON, "print(input()[::-1])", "olleh", "hello\n"),
        (judge0.RUBY, "puts gets.to_i * 2", "21", "42\n"),
        (judge0.JAVASCRIPT, "console.log(readline().length)", "a b c", "5\n"),
    ]
    for language, source, stdin, expected in programs:
        result = judge0.run(client=client, source_code=source, stdin=stdin, language=language)
        check(
            f"run {language.name} with stdin",
            result.status == Status.ACCEPTED and result.stdout == expected,
            (result.status, result.stdout, result.stderr),
        )

    batch = [Submission(source_code=f"print({i} * {i})", language=judge0.PYTHON) for i in range(4)]
    results = judge0.run(client=client, submissions=batch)
    check(
        "a batch runs each submission",
        [(r.status, r.stdout) for r in results] == [(Status.ACCEPTED, f"{i * i}\n") for i in range(4)],
        [(r.status, r.stdout) for r in results],
    )

    wrong = judge0.run(client=client, source_code="print(1)", expected_output="2", language=judge0.PYTHON)
    check("expected_output that differs is a wrong answer", wrong.status == Status.WRONG_ANSWER, wrong.status)

    crash = judge0.run(client=client, source_code="1/0", language=judge0.PYTHON)
    check(
        "an uncaught error is NZEC with the traceback on stderr",
        crash.status == Status.RUNTIME_ERROR_NZEC and "ZeroDivisionError" in (crash.stderr or ""),
        (crash.status, crash.stderr),
    )

    started = time.monotonic()
    loop = judge0.run(client=client, source_code="while True: pass", language=judge0.PYTHON, cpu_time_limit=1)
    took = time.monotonic() - started
    check(
        "an endless loop is stopped at its 1 s limit",
        loop.status == Status.TIME_LIMIT_EXCEEDED and 0.9 <= float(loop.time) < 5 and took < 30,
        (loop.status, loop.time, took),
    )

    held = judge0.run(
        client=client, source_code="x = bytearray(30 * 1024 * 1024)\nprint(len(x))", language=judge0.PYTHON
    )
    check(
        "memory is what the program used (30 MiB held)",
        held.status == Status.ACCEPTED and 30720 <= held.memory < 30720 + 8192,
        (held.status, held.memory),
    )
    over = judge0.run(
        client=client, source_code="x = bytearray(64 * 1024 * 1024)", language=judge0.PYTHON, memory_limit=32000
    )
    check(
        "past memory_limit is a runtime error (other) that used at least the limit",
        over.status == Status.RUNTIME_ERROR_OTHER and over.memory >= 32000,
        (over.status, over.memory, over.message),
    )

    queued = judge0.async_run(client=client, source_code="puts 'later'", language=judge0.RUBY)
    judge0.wait(client=client, submissions=queued)
    check(
        "a queued submission is polled to its end",
        queued.status == Status.ACCEPTED and queued.stdout == "later\n",
        (queued.status, queued.stdout),
    )


if __name__ == "__main__":
    main(sys.argv[1])
