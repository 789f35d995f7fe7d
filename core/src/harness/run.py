# polyrun's Python runner for whole programs: runs sys.argv[1] as main.py, with tracebacks
# that show only the program's own frames.
def _polyrun_run():
    import sys

    source = sys.argv[1]
    del sys.argv[1]
    sys.argv[0] = "main.py"
    main = {"__name__": "__main__", "__builtins__": __builtins__, "__file__": "main.py"}
    try:
        code = compile(source, "main.py", "exec", dont_inherit=True)
        exec(code, main)
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001
        import linecache
        import traceback

        linecache.cache["main.py"] = (len(source), None, source.splitlines(True), "main.py")
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != "main.py":
            tb = tb.tb_next
        sys.stdout.flush()
        traceback.print_exception(type(exc), exc, tb)
        sys.stderr.flush()
        raise SystemExit(1)


_polyrun_run()
