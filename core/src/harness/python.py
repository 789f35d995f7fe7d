# polyrun's Python harness: loads the user's source, calls the entry point once per test
# and reports each call as a record (see core/src/protocol.rs). Shared by the grader and
# the browser worker; reads its input from stdin a line at a time: the header, then each
# test's line, which the grader hands over only once the test before has answered.
def _json_codec():
    """JSON through the C accelerator `_json` directly: `import json` pulls in `re`, whose
    import is most of this harness's start-up on a slow interpreter. Falls back to `json`."""
    try:
        import _json

        def constant(name):
            raise ValueError("%s is not valid JSON" % name)

        class Context:
            strict = True
            object_hook = None
            object_pairs_hook = None
            parse_float = float
            parse_int = int
            parse_constant = staticmethod(constant)
            memo = {}

        scan = _json.make_scanner(Context())
        encode = _json.make_encoder(None, None, _json.encode_basestring_ascii, None, ":", ",", False, False, False)

        def loads(text):
            value, end = scan(text, 0)
            if text[end:].strip():
                raise ValueError("extra data after JSON value")
            return value

        def dumps(value):
            return "".join(encode(value, 0))

        assert loads(dumps({"a": [1, 2.5, "\u00e9", None, True]})) == {"a": [1, 2.5, "\u00e9", None, True]}
        return loads, dumps
    except Exception:  # noqa: BLE001 - any trouble: the plain module
        import json

        return json.loads, lambda value: json.dumps(value, ensure_ascii=True, allow_nan=False)


def _polyrun_harness():
    import io
    import math
    import sys
    import time

    loads, dumps = _json_codec()

    out = sys.stdout
    err = sys.stderr
    real_in = sys.stdin
    perf = time.perf_counter
    filename = "solution.py"

    def emit(record):
        out.write("\x1e" + dumps(record) + "\n")
        out.flush()

    class Capture(io.TextIOBase):
        """A text stream keeping the first `cap` bytes and counting the rest."""

        def __init__(self, cap):
            self.parts = []
            self.kept = 0
            self.dropped = 0
            self.cap = cap

        def writable(self):
            return True

        def write(self, s):
            if not isinstance(s, str):
                raise TypeError("write() argument must be str, not " + type(s).__name__)
            data = s.encode("utf-8", "replace")
            room = self.cap - self.kept
            if room >= len(data):
                self.parts.append(data)
                self.kept += len(data)
            else:
                if room > 0:
                    self.parts.append(data[:room])
                    self.kept = self.cap
                self.dropped += len(data) - max(room, 0)
            return len(s)

        def text(self):
            return b"".join(self.parts).decode("utf-8", "replace")

    def user_line(tb):
        line = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
        return line

    def describe(exc):
        message = str(exc)
        if isinstance(exc, KeyError) and len(exc.args) == 1:
            message = repr(exc.args[0])
        return {"type": type(exc).__name__, "message": message, "line": user_line(exc.__traceback__)}

    class NoJson(Exception):
        pass

    def to_json(value, depth=0):
        if depth > 100:
            raise NoJson("the value is nested more than 100 levels deep")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise NoJson("the float %r has no JSON form" % value)
            return float(value)
        if isinstance(value, (list, tuple)):
            return [to_json(v, depth + 1) for v in value]
        if isinstance(value, dict):
            result = {}
            for k, v in value.items():
                if not isinstance(k, str):
                    raise NoJson("a dict key of type %s has no JSON form (keys must be str)" % type(k).__name__)
                result[k] = to_json(v, depth + 1)
            return result
        raise NoJson("a value of type %s has no JSON form" % type(value).__name__)

    def user_streams(o, e):
        # The user's code reads an empty stdin: the harness's input is not its input.
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(), o, e

    def harness_streams():
        sys.stdin, sys.stdout, sys.stderr = real_in, out, err

    data = loads(real_in.readline())
    source = data["source"]
    cap = int(data["output_cap"])
    name = data["function"]

    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        emit({"event": "compile_error", "error": {
            "type": type(exc).__name__, "message": exc.msg or str(exc), "line": exc.lineno}})
        return
    except (ValueError, TypeError) as exc:  # e.g. source code string cannot contain null bytes
        emit({"event": "compile_error", "error": {"type": type(exc).__name__, "message": str(exc), "line": None}})
        return

    module = {"__name__": "solution", "__builtins__": __builtins__, "__file__": filename}
    load_out, load_err = Capture(cap), Capture(cap)
    user_streams(load_out, load_err)
    try:
        exec(code, module)
    except BaseException as exc:  # noqa: BLE001 - the user's SystemExit is an error here too
        harness_streams()
        emit({"event": "load_error", "error": describe(exc)})
        return
    finally:
        harness_streams()

    entry = module.get(name)
    if entry is None:
        solution = module.get("Solution")
        if isinstance(solution, type) and callable(getattr(solution, name, None)):
            try:
                entry = getattr(solution(), name)
            except BaseException as exc:  # noqa: BLE001
                emit({"event": "load_error", "error": describe(exc)})
                return
    if not callable(entry):
        emit({"event": "compile_error", "error": {
            "type": "NameError",
            "message": "the function '%s' is not defined" % name if entry is None
            else "'%s' is not a function" % name,
            "line": None}})
        return
    emit({"event": "loaded"})

    for _ in range(int(data["tests"])):
        line = real_in.readline()
        if not line:
            break
        test = loads(line)
        index = test["index"]
        args = loads(test["args"])
        emit({"event": "start", "index": index})
        capture_out, capture_err = Capture(cap), Capture(cap)
        user_streams(capture_out, capture_err)
        value = error = None
        started = perf()
        try:
            value = entry(*args)
        except BaseException as exc:  # noqa: BLE001
            error = describe(exc)
        finally:
            elapsed = (perf() - started) * 1000.0
            harness_streams()
        record = {"event": "result", "index": index, "time_ms": elapsed}
        if error is None:
            try:
                record["value"] = to_json(value)
            except NoJson as exc:
                error = {"type": "TypeError", "message": "the return value is not JSON: " + str(exc), "line": None}
            except RecursionError:
                error = {"type": "TypeError", "message": "the return value is nested too deeply", "line": None}
        if error is not None:
            record["error"] = error
            record.pop("value", None)
        record["stdout"] = capture_out.text()
        record["stderr"] = capture_err.text()
        record["stdout_dropped"] = capture_out.dropped
        record["stderr_dropped"] = capture_err.dropped
        emit(record)
    emit({"event": "done"})


_polyrun_harness()
